import Foundation

/// Paths of the repository and of this test target's files.
enum Files {
    /// The repository root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    static func example(_ name: String) -> String { root.appendingPathComponent("experiments/\(name)").path }
    static func valid(_ name: String) -> String { tests.appendingPathComponent("valid/\(name)").path }
    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
}
