import XCTest
#if canImport(FoundationXML)
import FoundationXML
#else
import Foundation
#endif
@testable import Reports

let hostileNames = [
    "<script>alert('x')</script>",
    "a|b|c",
    "line1\nline2\r\nline3",
    "quote \" and ' and \\ backslash",
    "`system(\"rm -rf /\")`",
    "'; DROP TABLE runs; --",
    "# heading",
    "- list",
    "1. ordered",
    "[link](http://evil) ![img](x) *em* _u_ ~s~ &amp; &lt;",
    "ctrl\u{0}\u{7}char",
]

final class EscapingTests: XCTestCase {
    func testHTMLEscapesAllFive() {
        XCTAssertEqual(Escaping.html("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        XCTAssertEqual(Escaping.htmlAttribute("\" onload=\"x"), "&quot; onload=&quot;x")
        XCTAssertEqual(Escaping.html("ctrl\u{0}x"), "ctrl\u{FFFD}x")
        XCTAssertEqual(Escaping.html("a\u{202E}b\u{2066}c\u{85}"), "a\\u{202E}b\\u{2066}c\\u{85}")
        for name in hostileNames {
            let escaped = Escaping.html(name)
            XCTAssertFalse(escaped.contains("<"), escaped)
            XCTAssertFalse(escaped.contains(">"), escaped)
            XCTAssertFalse(escaped.contains("\""), escaped)
            XCTAssertFalse(escaped.contains("'"), escaped)
        }
    }

    func testMarkdownCellShowsBidiAndC1AsEscapes() {
        XCTAssertEqual(Escaping.markdownCell("a\u{202E}b\u{85}c"), "a\\\\u{202E}b\\\\u{85}c")
        XCTAssertEqual(Escaping.markdownCell("bell\u{7}esc\u{1B}"), "bell esc ")
    }

    func testMarkdownCodeHoldsNoHiddenCharacter() {
        XCTAssertEqual(Escaping.markdownCode("a\tb\r\nc\u{1B}[31m\u{202E}\rd\n"), "a\tb\nc\\u{1B}[31m\\u{202E}\\u{D}d\n")
        for name in hostileNames + ["\u{2066}x\u{2069}", "\u{9B}31m"] {
            XCTAssertFalse(Escaping.markdownCode(name).unicodeScalars.contains { Escaping.isHidden($0) && $0 != "\n" && $0 != "\t" },
                           Escaping.terminal(name))
        }
    }

    /// Each shell word, run through bash, means exactly the text it quotes.
    func testShellWordsRoundTripThroughBash() throws {
        XCTAssertEqual(Escaping.shellWord("results/positional.sqlite"), "results/positional.sqlite")
        XCTAssertEqual(Escaping.shellWord(""), "''")
        XCTAssertEqual(Escaping.shellWord("it's here"), "'it'\\''s here'")
        XCTAssertEqual(Escaping.shellWord("a\u{1B}b\u{202E}c'\n"), "$'a\\x1Bb\\u202Ec\\'\\n'")
        let words = hostileNames + ["$(touch x)", "a\u{1B}]0;title\u{7}", "\u{202E}txt.exe", "tab\there", "!bang", "back\\x41"]
        for word in words where !word.contains("\0") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "printf '%s' \(Escaping.shellWord(word))"]
            process.environment = ["LC_ALL": "C.UTF-8"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(String(decoding: data, as: UTF8.self), word, Escaping.shellWord(word))
            XCTAssertFalse(Escaping.shellWord(word).unicodeScalars.contains(where: Escaping.isHidden), Escaping.terminal(word))
        }
    }

    func testSizeNamesReadAsEnglish() {
        XCTAssertEqual(sizePlural("length"), "lengths")
        XCTAssertEqual(sizeSingular("length"), "length")
        XCTAssertEqual(sizePlural("pairs"), "numbers of pairs")
        XCTAssertEqual(sizeSingular("digits"), "number of digits")
    }

    func testMarkdownCell() {
        XCTAssertEqual(Escaping.markdownCell("a|b"), "a\\|b")
        XCTAssertEqual(Escaping.markdownCell("x\ny\r\nz"), "x<br>y<br>z")
        XCTAssertEqual(Escaping.markdownCell("`code`"), "\\`code\\`")
        XCTAssertEqual(Escaping.markdownCell("back\\slash"), "back\\\\slash")
        XCTAssertEqual(Escaping.markdownCell("# h"), "\\# h")
        XCTAssertEqual(Escaping.markdownCell("  - item"), "  \\- item")
        XCTAssertEqual(Escaping.markdownCell("12. x"), "12\\. x")
        XCTAssertEqual(Escaping.markdownCell("rope-2 v1.5"), "rope-2 v1.5")
        XCTAssertEqual(Escaping.markdownCell("<script>"), "\\<script\\>")
        XCTAssertEqual(Escaping.markdownCell(""), "")
        // Numbers stay readable: a marker needs a space or the end after it.
        XCTAssertEqual(Escaping.markdownCell("+0.200 [-0.100, +0.300]"), "+0.200 \\[-0.100, +0.300\\]")
        XCTAssertEqual(Escaping.markdownCell("0.650"), "0.650")
        XCTAssertEqual(Escaping.markdownCell("-"), "\\-")
        XCTAssertEqual(Escaping.markdownCell("+ x"), "\\+ x")
        XCTAssertEqual(Escaping.markdownCell("3)"), "3\\)")
        XCTAssertEqual(Escaping.markdownCell("3.\nx"), "3\\.<br>x")
    }

    /// Counts cell separators that are not backslash-escaped.
    static func unescapedPipes(_ line: String) -> Int {
        var count = 0, escaped = false
        for c in line {
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true } else if c == "|" { count += 1 }
        }
        return count
    }

    func testHostileMarkdownTableKeepsShape() {
        let table = Table(title: "Hostile | title\n# x", columns: ["name", "value"],
                          rows: hostileNames.map { [$0, $0] })
        let lines = table.markdown().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // heading, blank, header, rule, one line per row, trailing empty.
        XCTAssertEqual(lines.count, 4 + hostileNames.count + 1)
        XCTAssertTrue(lines[0].hasPrefix("### "))
        for line in lines[2..<(4 + hostileNames.count)] {
            XCTAssertEqual(Self.unescapedPipes(line), 3, line)
            // The only raw "<" left is our own <br>; every other one is backslash-escaped.
            let rest = line.replacingOccurrences(of: "\\<", with: "").replacingOccurrences(of: "<br>", with: "")
            XCTAssertFalse(rest.contains("<"), line)
        }
    }

    func testTablePadsRaggedRowsAndAligns() {
        let table = Table(title: "", columns: ["a"], rows: [["1", "2"], []], alignments: [.left, .right])
        XCTAssertEqual(table.width, 2)
        XCTAssertEqual(table.markdown(), "| a |  |\n| --- | ---: |\n| 1 | 2 |\n|  |  |\n")
        XCTAssertTrue(table.html().contains("<td class=\"num\">2</td>"))
    }
}

final class HTMLPageTests: XCTestCase {
    func testBase64() {
        XCTAssertEqual(HTMLPage.base64(Array("".utf8)), "")
        XCTAssertEqual(HTMLPage.base64(Array("f".utf8)), "Zg==")
        XCTAssertEqual(HTMLPage.base64(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(HTMLPage.base64(Array("foo".utf8)), "Zm9v")
        XCTAssertEqual(HTMLPage.base64(Array("foobar".utf8)), "Zm9vYmFy")
        XCTAssertEqual(HTMLPage.base64([0xFF, 0xFE, 0x00]), "//4A")
        XCTAssertEqual(HTMLPage.dataURI(bytes: [1], mimeType: "image/png"), "data:image/png;base64,AQ==")
        XCTAssertEqual(HTMLPage.dataURI(bytes: [1], mimeType: "x\" onerror=\"y"),
                       "data:application/octet-stream;base64,AQ==")
    }

    func hostilePage() -> String {
        let table = Table(title: "<b>t</b>", columns: hostileNames, rows: [hostileNames, hostileNames])
        return HTMLPage(title: "<script>alert(1)</script> & report", sections: [
            HTMLPage.Section(heading: "Variant \"x\" 'y'", blocks: [
                .paragraph(hostileNames.joined(separator: " ")),
                .table(table),
                .preformatted("</pre><script>x</script>"),
                .image(bytes: [0x89, 0x50, 0x4E, 0x47], mimeType: "image/png", alt: "\"><script>"),
            ]),
            HTMLPage.Section(heading: "", blocks: []),
        ]).render()
    }

    func testNoScriptSurvives() {
        let page = hostilePage()
        XCTAssertFalse(page.lowercased().contains("<script"))
        XCTAssertTrue(page.contains("&lt;script&gt;"))
        XCTAssertTrue(page.contains("data:image/png;base64,iVBORw=="))
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"))
    }

    final class Checker: NSObject, XMLParserDelegate {
        var stack: [String] = []
        var elements: [String] = []
        var text = ""
        var mismatch = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(name); elements.append(name)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if stack.popLast() != name { mismatch = true }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    func testPageIsWellFormedXML() {
        let page = hostilePage()
        let parser = XMLParser(data: Data(page.utf8))
        let checker = Checker()
        parser.delegate = checker
        XCTAssertTrue(parser.parse(), "XML error: \(String(describing: parser.parserError))")
        XCTAssertFalse(checker.mismatch)
        XCTAssertTrue(checker.stack.isEmpty)
        XCTAssertFalse(checker.elements.contains("script"))
        XCTAssertFalse(checker.elements.contains("b"))
        XCTAssertEqual(checker.elements.filter { $0 == "table" }.count, 1)
        XCTAssertEqual(checker.elements.filter { $0 == "img" }.count, 1)
        // The hostile text round-trips as text.
        XCTAssertTrue(checker.text.contains("<script>alert('x')</script>"))
        XCTAssertTrue(checker.text.contains("'; DROP TABLE runs; --"))
    }
}
