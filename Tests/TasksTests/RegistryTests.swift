import Tasks
import Tensors
import XCTest

final class RegistryTests: XCTestCase {
    func testEveryTaskIsRegisteredAndBuildsWithItsDefaults() throws {
        let kinds = TaskRegistry.entries.map(\.kind)
        XCTAssertEqual(Set(kinds), ["copy", "reverse", "sort", "associative-recall", "selective-copy", "delayed-recall",
                                    "dyck", "parity", "majority", "addition"])
        for entry in TaskRegistry.entries {
            let task = try TaskRegistry.make(kind: entry.kind)
            XCTAssertEqual(type(of: task).kind, entry.kind)
            XCTAssertEqual(type(of: task).sizeName, entry.sizeName)
            // The task's own listing names the same parameters (camelCase there, snake_case in files).
            func normal(_ name: String) -> String { name.replacingOccurrences(of: "_", with: "").lowercased() }
            let names = Set(task.parameters.map { normal($0.name) })
            for parameter in entry.parameters {
                XCTAssertTrue(names.contains(normal(parameter.name)), "\(entry.kind) lists \(names), the registry \(parameter.name)")
            }
        }
    }

    func testParametersReachTheTask() throws {
        let copy = try TaskRegistry.make(kind: "copy", parameters: ["symbols": .integer(5)])
        XCTAssertEqual(copy.vocabulary, 6)
        let dyck = try TaskRegistry.make(kind: "dyck", parameters: ["mode": .text("complete"), "types": .integer(3)])
        XCTAssertEqual(dyck.output, .sequence)
    }

    func testBadNamesAndValuesNameTheKey() {
        func message(_ kind: String, _ parameters: [String: TaskParameter] = [:]) -> (String, String) {
            do {
                _ = try TaskRegistry.make(kind: kind, parameters: parameters)
                return ("", "no error")
            } catch let error as TaskConfigError {
                return (error.key, error.message)
            } catch {
                return ("", "\(error)")
            }
        }
        var (key, text) = message("reverze")
        XCTAssertEqual(key, "task.kind")
        XCTAssertTrue(text.contains("did you mean \"reverse\""), text)
        (key, text) = message("copy", ["symbol": .integer(4)])
        XCTAssertEqual(key, "task.symbol")
        XCTAssertTrue(text.contains("did you mean \"symbols\""), text)
        (key, text) = message("copy", ["symbols": .integer(1)])
        XCTAssertEqual(key, "task.symbols")
        XCTAssertTrue(text.contains("an integer in 2...4096, got 1"), text)
        (key, text) = message("copy", ["symbols": .text("eight")])
        XCTAssertTrue(text.contains("got \"eight\""), text)
        (key, text) = message("dyck", ["mode": .text("guess")])
        XCTAssertEqual(key, "task.mode")
        XCTAssertTrue(text.contains("one of classify, complete"), text)
        (key, text) = message("parity", ["symbols": .integer(2)])
        XCTAssertTrue(text.contains("it takes none"), text)
    }
}
