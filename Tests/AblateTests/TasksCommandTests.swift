import Foundation
import XCTest

/// End-to-end: `ablate tasks`.
final class TasksCommandTests: XCTestCase {
    func testListingNamesEveryTaskAndParameter() throws {
        let result = try AblateBinary.run(["tasks"])
        XCTAssertEqual(result.status, 0, result.standardError)
        for kind in ["copy", "reverse", "sort", "associative-recall", "selective-copy", "delayed-recall", "dyck", "parity", "majority", "addition"] {
            XCTAssertTrue(result.standardOutput.contains("\(kind): "), "\(kind) missing")
        }
        XCTAssertTrue(result.standardOutput.contains("max_depth = 4"))
    }

    func testExamplesAreDecodedWithSlicesAndAreReproducible() throws {
        let arguments = ["tasks", "--examples", "delayed-recall", "--size", "3...5", "--count", "4", "--seed", "7"]
        let first = try AblateBinary.run(arguments), second = try AblateBinary.run(arguments)
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertEqual(first.standardOutput, second.standardOutput, "the same seed prints the same examples")
        let targets = first.standardOutput.split(separator: "\n").filter { $0.contains("target:") }
        XCTAssertEqual(targets.count, 4)
        for line in targets {
            XCTAssertTrue(line.contains("distance="), String(line))
        }
        XCTAssertTrue(first.standardOutput.contains("chance: token accuracy"))
        let other = try AblateBinary.run(["tasks", "--examples", "delayed-recall", "--size", "3...5", "--count", "4", "--seed", "8"])
        XCTAssertNotEqual(first.standardOutput, other.standardOutput)
    }

    func testBadRequestsFailWithTheReason() throws {
        var result = try AblateBinary.run(["tasks", "--examples", "revers"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("did you mean \"reverse\""), result.standardError)
        result = try AblateBinary.run(["tasks", "--examples", "copy", "--set", "symbols=1"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("task.symbols"), result.standardError)
        result = try AblateBinary.run(["tasks", "--examples", "copy", "--size", "0...3"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.standardError.contains("1...4096"), result.standardError)
        result = try AblateBinary.run(["tasks", "--examples", "copy", "--size", "five"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("--size takes a range"), result.standardError)
    }

    /// The README's task table is the output of `ablate tasks --markdown`.
    func testTheReadmeTableIsTheCommandsOutput() throws {
        let result = try AblateBinary.run(["tasks", "--markdown"])
        XCTAssertEqual(result.status, 0)
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        XCTAssertTrue(text.contains(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)),
                      "README.md's task table differs from `ablate tasks --markdown`: paste its output again")
    }
}
