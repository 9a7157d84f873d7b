import Foundation
import XCTest
@testable import Runner

/// `git_dirty` says whether the code may differ from the commit: the outputs ablate writes, the
/// experiment files and the docs do not count.
final class EnvironmentInfoTests: XCTestCase {
    func testOutputsAndDocsDoNotMakeTheTreeDirtyButCodeDoes() throws {
        guard let git = SystemInfo.which("git") else { throw XCTSkip("git is not installed") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dirty-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: git)
            process.arguments = ["-C", folder.path, "-c", "user.name=t", "-c", "user.email=t@t"] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, arguments.joined(separator: " "))
        }
        let files = ["Sources/a.swift", "reports/x.md", "plots/x/f.gp", "results/x.csv", "experiments/x.toml", "docs/d.md", "README.md"]
        for file in files {
            let url = folder.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("one\n".utf8).write(to: url)
        }
        try run(["init", "-q"])
        try run(["add", "."])
        try run(["commit", "-q", "-m", "x"])
        XCTAssertEqual(EnvironmentInfo.collect(directory: folder.path)["git_dirty"], "false")
        for file in files.dropFirst() { try Data("two\n".utf8).write(to: folder.appendingPathComponent(file)) }
        XCTAssertEqual(EnvironmentInfo.collect(directory: folder.path)["git_dirty"], "false", "outputs, experiment files and docs")
        try Data("two\n".utf8).write(to: folder.appendingPathComponent("Sources/a.swift"))
        XCTAssertEqual(EnvironmentInfo.collect(directory: folder.path)["git_dirty"], "true", "code")
    }
}
