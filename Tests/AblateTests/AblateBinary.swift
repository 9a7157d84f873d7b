import Foundation
import XCTest

/// Runs the real `ablate` executable that SwiftPM built next to the test bundle (or the one named by
/// the ABLATE_BIN environment variable) and captures what it prints.
struct AblateBinary {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static var url: URL {
        if let path = ProcessInfo.processInfo.environment["ABLATE_BIN"] { return URL(fileURLWithPath: path) }
        // The test bundle lives in the build products folder, beside the executable.
        var directory = Bundle(for: Marker.self).bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("ablate")
    }

    private final class Marker {}

    /// Runs `ablate arguments...` with extra environment variables (nil removes a variable), in
    /// `currentDirectory` when given (else the test's working directory).
    static func run(_ arguments: [String], environment changes: [String: String?] = [:], currentDirectory: URL? = nil,
                    file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let executable = url
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            XCTFail("ablate binary not found at \(executable.path): build it first (swift build)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        return try execute(executable, arguments, environment: environment, currentDirectory: currentDirectory)
    }

    /// Runs any program to its end and captures what it prints. Standard error goes to a file and
    /// standard output through a pipe read to the end before waiting, so a long output cannot block it.
    static func execute(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                        currentDirectory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-test-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let output = Pipe()
        let error = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try error.close()
        let errorData = (try? Data(contentsOf: errorFile)) ?? Data()
        return Result(status: process.terminationStatus,
                      standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: String(decoding: errorData, as: UTF8.self))
    }

    /// Starts `ablate run FILE --database DB --workers 1` in the background, its output to `output`.
    static func startRun(_ file: String, database: String, output: FileHandle) throws -> Process {
        let parent = Process()
        parent.executableURL = url
        parent.arguments = ["run", file, "--database", database, "--workers", "1"]
        parent.standardOutput = output
        parent.standardError = output
        parent.standardInput = FileHandle.nullDevice
        try parent.run()
        return parent
    }
}
