import Foundation
import XCTest
@testable import Experiments

/// Every file in malformed/ is refused with a message naming the file, the line and the key.
///
/// The first line of each file says what to expect: `# expect: LINE KEY | part of the message`.
final class MalformedCorpusTests: XCTestCase {
    struct Expectation {
        var line: Int
        var key: String
        var fragment: String
    }

    static func expectation(in path: String) throws -> Expectation {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let firstLine = String(decoding: data.prefix { $0 != 0x0A }, as: UTF8.self)
        guard firstLine.hasPrefix("# expect: ") else { throw NSError(domain: "corpus", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(path) has no # expect: line"]) }
        let body = firstLine.dropFirst("# expect: ".count)
        let halves = body.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let words = halves[0].split(separator: " ", maxSplits: 1).map(String.init)
        guard words.count == 2, let line = Int(words[0]), halves.count == 2 else {
            throw NSError(domain: "corpus", code: 2, userInfo: [NSLocalizedDescriptionKey: "\(path): bad # expect: line"])
        }
        return Expectation(line: line, key: words[1], fragment: halves[1])
    }

    func testEveryMalformedFileIsRefusedWithItsLineAndKey() throws {
        let folder = Files.tests.appendingPathComponent("malformed")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 20, "the corpus has at least 20 files")
        for name in names {
            let path = folder.appendingPathComponent(name).path
            let expected = try Self.expectation(in: path)
            do {
                let experiment = try ExperimentLoader.load(path: path)
                XCTFail("\(name) loaded (\(experiment.runs.count) runs) but should fail at line \(expected.line), \(expected.key)")
            } catch let error as ExperimentError {
                let text = error.description
                XCTAssertEqual(error.file, path, name)
                XCTAssertEqual(error.line, expected.line, "\(name): \(text)")
                XCTAssertEqual(error.key, expected.key, "\(name): \(text)")
                XCTAssertTrue(text.hasPrefix("\(path):\(expected.line):"), "\(name): \(text)")
                XCTAssertTrue(text.contains(": \(expected.key): "), "\(name): \(text)")
                XCTAssertTrue(error.message.contains(expected.fragment), "\(name): expected \"\(expected.fragment)\" in: \(text)")
                XCTAssertGreaterThan(error.message.count, 25, "\(name): a message that explains: \(text)")
                XCTAssertFalse(text.contains("\n"), "\(name): one line: \(text)")
                XCTAssertEqual(error.exitCode, 2)
            } catch {
                XCTFail("\(name): threw \(type(of: error)) instead of ExperimentError: \(error)")
            }
        }
    }

    /// A key or value of thousands of characters is named by its start and its length, not echoed whole.
    func testAHugeUnknownKeyOrValueIsCutInTheMessage() throws {
        let base = "[experiment]\nname = \"h\"\nseeds = [1]\n[task]\nkind = \"reverse\"\ntrain_length = [2, 4]\n[model]\narch = \"transformer\"\n"
        let key = String(repeating: "k", count: 20_000)
        for text in [base + "[train]\n\(key) = 1\n", base.replacingOccurrences(of: "\"reverse\"", with: "\"\(key)\"")] {
            XCTAssertThrowsError(try ExperimentLoader.load(text: text, path: "h.toml")) { error in
                let description = (error as? ExperimentError)?.description ?? "\(error)"
                XCTAssertLessThan(description.count, 1_000, String(description.prefix(300)))
                XCTAssertTrue(description.contains("(20000 characters)"), String(description.prefix(300)))
            }
        }
    }

    /// What toml++ says of a control character inside a string, and of a file that ends inside a value,
    /// becomes a message that says what to change.
    func testSyntaxMessagesSayWhatToChange() throws {
        func message(_ text: String) -> String {
            do {
                _ = try ExperimentLoader.load(text: text, path: "s.toml")
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        let control = message("[experiment]\nname = \"a\u{1B}b\"\n")
        XCTAssertTrue(control.contains("U+001B inside a string"), control)
        XCTAssertTrue(control.hasPrefix("s.toml:2:"), control)
        let open = message("[experiment]\nseeds = [1, 2\n")
        XCTAssertTrue(open.contains("the file ends inside a value that was not closed"), open)
        let multiline = message("[experiment]\nquestion = \"\"\"never closed\n")
        XCTAssertTrue(multiline.contains("not closed"), multiline)
    }

    func testAMissingFileIsAnExperimentError() {
        XCTAssertThrowsError(try ExperimentLoader.load(path: "/nonexistent/x.toml")) { error in
            let error = error as? ExperimentError
            XCTAssertEqual(error?.key, "file")
            XCTAssertEqual(error?.description, "/nonexistent/x.toml: file: cannot open the experiment file: there is no such file")
        }
    }

    func testFindingsAreKeptAsWrittenAndChangeNoKey() throws {
        let base = "[experiment]\nname = \"f\"\nseeds = [1]\n[task]\nkind = \"reverse\"\ntrain_length = [2, 4]\n[model]\narch = \"transformer\"\n"
        let plain = try ExperimentLoader.load(text: base, path: "f.toml")
        XCTAssertEqual(plain.findings, "")
        let text = base.replacingOccurrences(of: "seeds = [1]\n", with: "seeds = [1]\nfindings = \"\"\"\nIt works.\n\nReally.\"\"\"\n")
        let noted = try ExperimentLoader.load(text: text, path: "f.toml")
        XCTAssertEqual(noted.findings, "It works.\n\nReally.")
        XCTAssertEqual(noted.runs.map(\.key), plain.runs.map(\.key))
    }

    /// Names full of quotes, backslashes, newlines, shell, HTML and SQL are only text: they load intact
    /// (whatever prints or stores them escapes them).
    func testHostileNamesLoadIntact() throws {
        let experiment = try ExperimentLoader.load(path: Files.tests.appendingPathComponent("valid/hostile-names.toml").path)
        XCTAssertEqual(experiment.name, "Robert'); DROP TABLE runs;-- \"quoted\" \\back\\slash\\")
        XCTAssertEqual(experiment.question, "<script>alert('x')</script>\nline two\t$(rm -rf ~) `id` %s %n {{7*7}}")
        XCTAssertEqual(experiment.variants.map(\.name), [
            "baseline",
            "system(\"reboot\")",
            "`whoami`; echo $HOME > /tmp/x",
            "../../../etc/passwd",
            "<img src=x onerror=alert(1)>",
            "'; DELETE FROM metrics WHERE '1'='1",
            "line\nbreak\r\nand\ttab",
            "ünïcödé ✓ 中文 🙂 \u{202E}reversed",
            "C:\\Windows\\System32\\",
            "-rf",
        ])
        XCTAssertEqual(experiment.variants[1].description, "printf(\"%s%s%s\") \\\" \\n")
        XCTAssertEqual(experiment.runs.count, 10)
        XCTAssertEqual(Set(experiment.runs.map(\.key)).count, 10)
        // A message that quotes a hostile name stays on one line, with its quotes escaped.
        let text = try Files.text(Files.tests.appendingPathComponent("valid/hostile-names.toml").path)
        let broken = text.replacingOccurrences(of: "model.heads = 1", with: "model.heads = 3")
        XCTAssertThrowsError(try ExperimentLoader.load(text: broken, path: "hostile.toml")) { error in
            let description = (error as? ExperimentError)?.description ?? ""
            XCTAssertFalse(description.contains("\n"), description)
            XCTAssertTrue(description.contains("variant \"line\\nbreak\\r\\nand\\ttab\": 3 heads do not divide"), description)
        }
    }
}
