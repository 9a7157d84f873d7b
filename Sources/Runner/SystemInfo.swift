import Foundation

/// Facts about the machine and toolchain, gathered without touching tensors.
public enum SystemInfo {
    /// The CPU's model name ("model name" in /proc/cpuinfo), or "unknown".
    public static func cpuModel() -> String {
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("model name") || line.hasPrefix("Model") {
                if let colon = line.firstIndex(of: ":") {
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    if !value.isEmpty { return value }
                }
            }
        }
        return "unknown"
    }

    /// The number of cores this process may use.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The operating system (PRETTY_NAME from /etc/os-release), or the kernel's version string.
    public static func operatingSystem() -> String {
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
                return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return ProcessInfo.processInfo.operatingSystemVersionString
    }

    /// The host name.
    public static var host: String { ProcessInfo.processInfo.hostName }

    /// The version of the Swift compiler that built this binary.
    public static var swiftVersion: String {
        #if compiler(>=7.0)
        return ">= 7.0"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #elseif compiler(>=6.0)
        return "6.0"
        #else
        return "< 6.0"
        #endif
    }

    /// Finds an executable on PATH.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program and returns its standard output and error, or nil if it could not be started
    /// or exited non-zero.
    public static func output(of executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The gnuplot version ("gnuplot 5.4 patchlevel 4"), or nil when gnuplot is not installed.
    public static func gnuplotVersion() -> String? {
        guard let gnuplot = which("gnuplot") else { return nil }
        return output(of: gnuplot, ["--version"])
    }
}
