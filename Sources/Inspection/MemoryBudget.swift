import Foundation

/// The memory a command may ask for on a user's behalf: half of the machine's physical memory. Sizes
/// a user chose (`--steps`, `--length`, `--examples`, a checkpoint's config) are turned into an
/// estimate of the bytes they need and refused up front when it is over the budget, instead of
/// failing in the middle of an allocation.
enum MemoryBudget {
    /// Half of the physical memory, in bytes.
    static var limit: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    /// Throws a message saying what needs `bytes`, the budget and `change` (what to change) when
    /// `bytes` is over the limit.
    static func check(_ bytes: Double, for what: String, change: String) throws {
        guard bytes > limit else { return }
        throw MemoryProblem(message: "\(what) needs about \(format(bytes)) of memory, over the \(format(limit)) "
                            + "ablate allows itself (half of this machine's memory): \(change)")
    }

    /// "1.5 GB", "640 MB", "3.2 TB".
    static func format(_ bytes: Double) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }
}

/// Sizes whose buffers would not fit in the memory budget.
public struct MemoryProblem: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
