import Foundation
import XCTest

/// The Python of the tests that check ablate against something written in Python (the reference
/// safetensors library, the NumPy models and training of Tests/reference): ABLATE_TEST_PYTHON, a Python
/// with numpy and safetensors, which scripts/test prepares in .build/python-venv.
public enum TestPython {
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(_ message: String) { self.message = message }
    }

    /// The interpreter; skips the test when ABLATE_TEST_PYTHON is unset, unless ABLATE_REQUIRE_PYTHON=1
    /// (as scripts/test sets, so CI cannot pass by skipping), which makes its absence a failure.
    /// `unchecked` says what the skip leaves unchecked.
    public static func interpreter(unchecked: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let python = environment["ABLATE_TEST_PYTHON"], !python.isEmpty { return python }
        let advice = "set ABLATE_TEST_PYTHON to a Python with safetensors and numpy (scripts/test prepares .build/python-venv)"
        if environment["ABLATE_REQUIRE_PYTHON"] == "1" {
            throw Failure("ABLATE_REQUIRE_PYTHON=1 but ABLATE_TEST_PYTHON is not set: \(advice)")
        }
        throw XCTSkip("\(unchecked) not checked: \(advice)")
    }

    /// Runs `python script arguments...` to its end: its exit status, standard output and standard
    /// error. Standard error goes to a file in `scratch` (removed after) and standard output through a
    /// pipe read to the end before waiting, so a long output cannot block the script.
    public static func run(_ python: String, _ script: URL, _ arguments: [String], scratch: URL) throws
        -> (status: Int32, output: Data, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path] + arguments
        let errors = scratch.appendingPathComponent("python-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let errorHandle = try FileHandle(forWritingTo: errors)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errorHandle.close()
        let errorText = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
        return (process.terminationStatus, data, errorText)
    }

    /// `run`, for a script that must succeed: its standard output, or a `Failure` with the status and
    /// what it wrote on standard error.
    public static func output(_ python: String, _ script: URL, _ arguments: [String], scratch: URL) throws -> Data {
        let result = try run(python, script, arguments, scratch: scratch)
        guard result.status == 0 else {
            throw Failure("\(script.lastPathComponent) \(arguments.joined(separator: " ")) exited with \(result.status):\n\(result.errors)")
        }
        return result.output
    }
}
