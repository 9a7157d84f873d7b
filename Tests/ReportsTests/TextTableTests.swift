import XCTest

@testable import Reports

final class TextTableTests: XCTestCase {
    func testAlignmentAndPadding() {
        let table = Table(
            title: "Final accuracy",
            columns: ["variant", "test", "n"],
            rows: [["rope", "0.99", "3"], ["no-positional", "0.5", "12"]],
            alignments: [.left, .right, .center])
        XCTAssertEqual(
            table.text(),
            """
            Final accuracy
            variant        test  n
            -------------  ----  --
            rope           0.99  3
            no-positional   0.5  12

            """)
    }

    func testWidthsCountCharactersNotBytes() {
        // "é" precomposed (1 scalar) and decomposed (e + U+0301): one Character each.
        let table = Table(
            title: "", columns: ["nom", "x"],
            rows: [["café", "1"], ["cafe\u{301}", "2"], ["ab", "3"]])
        let lines = table.text().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["nom   x", "----  -", "café  1", "cafe\u{301}  2", "ab    3"])
        for line in lines { XCTAssertEqual(line.count, 7, line) }
    }

    func testControlCharactersAreShownEscaped() {
        let injection = "\u{1B}[31mred\u{1B}[0m"
        let table = Table(
            title: "t\u{1B}]0;owned\u{07}",
            columns: ["name", "v"],
            rows: [
                [injection, "1"],
                ["two\nlines\tand\r\ncrlf", "2"],
                ["c1 \u{9B}2J del \u{7F} nul \u{0} back\\slash", "3"],
                ["bidi \u{202E}txet\u{202C} ls \u{2028}", "4"],
            ])
        let text = table.text()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.count, 8)  // title, header, rule, 4 rows, "" after the final newline
        XCTAssertEqual(lines[0], #"t\u{1B}]0;owned\u{7}"#)
        let cells = [
            #"\u{1B}[31mred\u{1B}[0m"#,
            #"two\nlines\tand\r\ncrlf"#,
            #"c1 \u{9B}2J del \u{7F} nul \0 back\\slash"#,
            #"bidi \u{202E}txet\u{202C} ls \u{2028}"#,
        ]
        let widest = cells.map(\.count).max()!
        XCTAssertEqual(widest, 41)
        XCTAssertEqual(lines[1], "name" + String(repeating: " ", count: widest - 4) + "  v")
        XCTAssertEqual(lines[2], String(repeating: "-", count: widest) + "  -")
        for (i, cell) in cells.enumerated() {
            XCTAssertEqual(lines[3 + i], cell + String(repeating: " ", count: widest - cell.count) + "  \(i + 1)")
        }
        XCTAssertEqual(Escaping.terminal("\u{1B}[31m"), #"\u{1B}[31m"#)
        // Whatever the cells hold, the output has no control character but the line ends.
        for scalar in text.unicodeScalars where scalar != "\n" {
            XCTAssertFalse(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value), "raw U+\(String(scalar.value, radix: 16)) in output")
        }
    }

    func testEmptyAndRaggedTables() {
        XCTAssertEqual(Table(title: "", columns: [], rows: []).text(), "")
        XCTAssertEqual(Table(title: "Nothing yet", columns: [], rows: []).text(), "Nothing yet\n")
        // Header only.
        XCTAssertEqual(Table(title: "", columns: ["a", "bb"], rows: []).text(), "a  bb\n-  --\n")
        // Ragged rows are padded; an all-empty column keeps a one-dash rule.
        XCTAssertEqual(
            Table(title: "", columns: ["a"], rows: [["1", "", "x"], []], alignments: [.left, .right]).text(),
            "a\n-  -  -\n1     x\n\n")
    }
}
