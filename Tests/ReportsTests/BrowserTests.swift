import Foundation
import TestSupport
import XCTest

@testable import Reports

/// The HTML reports in a real browser (headless Chromium, see `HeadlessBrowser`). The first tests
/// show that the harness notices what it must (broken images, malformed XHTML, injected scripts),
/// so that the clean results of the last one mean something.
final class BrowserTests: XCTestCase {
    /// A 1x1 PNG.
    static let png = [UInt8](
        Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!)
    static let svg = [UInt8](
        ##"<svg xmlns="http://www.w3.org/2000/svg" width="12" height="8"><rect width="12" height="8" fill="#0072B2"/></svg>"##.utf8)
    /// A PNG signature followed by garbage.
    static let corruptPNG: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("not really a png".utf8)

    private func browser() throws -> HeadlessBrowser {
        switch HeadlessBrowser.availability() {
        case .found(let browser):
            return browser
        case .missing(let reason, let required):
            if required { throw HeadlessBrowser.Failure.notFound("ABLATE_REQUIRE_CHROMIUM=1, but \(reason)") }
            throw XCTSkip(reason)
        }
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private func load(_ html: String) throws -> HeadlessBrowser.Report {
        let report = try browser().load(html: html)
        print("Chromium: both loads in \(String(format: "%.1f", report.seconds)) s")
        return report
    }

    // MARK: the harness can fail

    func testGoodPageLoadsCleanly() throws {
        let table = Table(title: "Final accuracy", columns: ["variant", "test"], rows: [["rope", "0.99"]], alignments: [.left, .right])
        let page = HTMLPage(title: "positional", sections: [
            HTMLPage.Section(heading: "Results", blocks: [
                .paragraph("Which positional encoding extrapolates?"),
                .table(table),
                .image(bytes: Self.png, mimeType: "image/png", alt: "accuracy by length"),
                .image(bytes: Self.svg, mimeType: "image/svg+xml", alt: "the same as SVG"),
                .table(Table(title: "", columns: ["a"], rows: [])),
            ])
        ])
        let report = try load(page.render())
        XCTAssertEqual(report.html.images, 2)
        XCTAssertEqual(report.html.decodedImages, 2, report.stderr)
        XCTAssertEqual(report.html.tables, 2)
        XCTAssertEqual(report.html.scripts, 0)
        XCTAssertEqual(report.html.errors, [])
        XCTAssertEqual(report.html.dialogs, [])
        XCTAssertEqual(report.html.title, "positional")
        XCTAssertEqual(report.html.imageAlts, ["accuracy by length", "the same as SVG"])
        XCTAssertNil(report.xhtmlParseError)
        // The XML parser keeps whitespace-only text nodes the HTML parser drops; all else is the same.
        var xhtml = try XCTUnwrap(report.xhtml)
        var html = report.html
        xhtml.text = Self.collapsed(xhtml.text)
        html.text = Self.collapsed(html.text)
        XCTAssertEqual(xhtml, html, "the XML parser saw another page")
    }

    func testCorruptImageIsNoticed() throws {
        let page = HTMLPage(title: "broken", sections: [
            HTMLPage.Section(heading: "", blocks: [
                .image(bytes: Self.png, mimeType: "image/png", alt: "fine"),
                .image(bytes: Self.corruptPNG, mimeType: "image/png", alt: "corrupt"),
            ])
        ])
        let report = try load(page.render())
        XCTAssertEqual(report.html.images, 2)
        XCTAssertEqual(report.html.decodedImages, 1)
        XCTAssertEqual(report.html.errors.count, 1, "\(report.html.errors)")
        XCTAssertTrue(report.html.errors.first?.hasPrefix("resource error: <img> data:image/png;base64,iVBORw0KGg") ?? false,
                      "\(report.html.errors)")
        XCTAssertNil(report.xhtmlParseError)
    }

    func testMalformedXHTMLIsNoticed() throws {
        // Fine for the HTML parser, not well-formed XML: <br> is never closed.
        let page = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head><meta charset="utf-8"/><title>sloppy</title></head>
            <body><p>one<br>two</p></body>
            </html>
            """
        let report = try load(page)
        XCTAssertEqual(report.html.errors, [])
        XCTAssertEqual(report.html.text.trimmingCharacters(in: .whitespacesAndNewlines), "onetwo")
        let error = try XCTUnwrap(report.xhtmlParseError, "the XML parser accepted an unclosed <br>")
        XCTAssertTrue(error.contains("error on line"), error)
        XCTAssertNil(report.xhtml)
    }

    func testInjectedScriptsAreNoticed() throws {
        // What the hostile test below must never see: a script element, a failing handler,
        // a script error and dialogs.
        let page = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml"><head><title>injected</title></head>
            <body><p>x</p><script>alert(1)</script><img src="missing.png" onerror="alert(2)"/>
            <script>notAFunction()</script></body></html>
            """
        let report = try load(page)
        XCTAssertEqual(report.html.scripts, 2)
        XCTAssertEqual(Set(report.html.dialogs), ["alert(1)", "alert(2)"])
        XCTAssertTrue(report.html.errors.contains { $0.hasPrefix("error: Uncaught ReferenceError: notAFunction") }, "\(report.html.errors)")
        XCTAssertTrue(report.html.errors.contains("resource error: <img> missing.png"), "\(report.html.errors)")
        XCTAssertEqual(report.html.decodedImages, 0)
        XCTAssertNil(report.xhtmlParseError)
        XCTAssertEqual(report.xhtml?.scripts, 2)
        XCTAssertEqual(Set(report.xhtml?.dialogs ?? []), ["alert(1)", "alert(2)"])
    }

    // MARK: hostile text stays text

    /// What the DOM holds for `text`: the escaper replaces the control characters XML forbids
    /// with U+FFFD, and both parsers turn CR LF and CR into LF.
    private func domText(_ text: String) -> String {
        var out = ""
        for scalar in text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").unicodeScalars {
            if (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7F {
                out += "\u{FFFD}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    func testHostileTextStaysText() throws {
        let title = "<script>alert(1)</script> & \"report\" 'x' \u{1B}[31m"
        let heading = "\"><img src=x onerror=alert(1)>"
        let alt = "\"><img src=x onerror=alert(1)> & 'q' \u{0}"
        let cells = hostileNames + ["\u{1B}[2J\u{1B}]0;owned\u{07}", "&amp; &lt;b&gt;", "</td></tr></table><script>alert(3)</script>"]
        let page = HTMLPage(title: title, sections: [
            HTMLPage.Section(heading: heading, blocks: [
                .paragraph("<b>bold?</b> <a href=\"javascript:alert(1)\">link</a>"),
                .table(Table(title: heading, columns: cells, rows: [cells, cells.reversed()])),
                .preformatted("</pre><script>alert(4)</script>"),
                .image(bytes: Self.png, mimeType: "image/png", alt: alt),
                .image(bytes: Self.png, mimeType: "image/png\" onerror=\"alert(5)", alt: heading),
            ])
        ])
        let report = try load(page.render())
        for (parser, facts) in [("HTML", report.html), ("XHTML", report.xhtml)] {
            guard let facts else { XCTFail("\(parser): no facts (\(report.xhtmlParseError ?? ""))"); continue }
            XCTAssertEqual(facts.scripts, 0, parser)
            XCTAssertEqual(facts.errors, [], parser)
            XCTAssertEqual(facts.dialogs, [], parser)
            XCTAssertEqual(facts.tables, 1, parser)
            XCTAssertEqual(facts.images, 2, parser)
            // The second image's bad MIME type became application/octet-stream; browsers sniff
            // image bytes, so it still shows.
            XCTAssertEqual(facts.decodedImages, 2, parser)
            XCTAssertEqual(facts.title, domText(title), parser)
            XCTAssertEqual(facts.imageAlts, [domText(alt), heading], parser)
            for text in [title, heading, "<b>bold?</b>", "</pre><script>alert(4)</script>"] + cells {
                XCTAssertTrue(facts.text.contains(domText(text)), "\(parser): \(text.debugDescription) not in the text")
            }
        }
        XCTAssertNil(report.xhtmlParseError)
    }

    // MARK: the harness itself, without a browser

    func testProbeIsAddedToTheCopyOnly() {
        let page = "<html><head><title>t</title></head><body><p>x</p></body></html>"
        let probed = HeadlessBrowser.addProbe(to: page)
        XCTAssertTrue(probed.hasPrefix("<html><head>\n<script data-ablate-probe=\"1\">//<![CDATA[\n"), probed)
        XCTAssertTrue(probed.hasSuffix("//]]></script>\n</body></html>"), probed)
        XCTAssertEqual(probed.components(separatedBy: "<script").count, 3)
        // <header> is not <head>; a page without </body> gets the probe at the end.
        let bare = HeadlessBrowser.addProbe(to: "<header>h</header>")
        XCTAssertTrue(bare.hasPrefix("<header>h</header><script data-ablate-probe"), bare)
    }

    func testMissingChromiumSkipsOrFails() {
        let nowhere = ["PATH": "/nonexistent"]
        guard case .missing(_, required: false) = HeadlessBrowser.availability(environment: nowhere) else {
            return XCTFail("found a browser on an empty PATH")
        }
        guard case .missing(_, required: true) = HeadlessBrowser.availability(
            environment: nowhere.merging(["ABLATE_REQUIRE_CHROMIUM": "1"]) { $1 })
        else { return XCTFail("ABLATE_REQUIRE_CHROMIUM=1 not honoured") }
        guard case .missing = HeadlessBrowser.availability(environment: ["ABLATE_CHROMIUM": "/nonexistent/chromium"]) else {
            return XCTFail("ABLATE_CHROMIUM ignored")
        }
    }

    func testHungBrowserIsKilled() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-hang-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = directory.appendingPathComponent("chromium")
        try "#!/bin/sh\nexec sleep 30\n".write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        var browser = HeadlessBrowser(executable: fake)
        browser.timeout = 1
        let started = Date()
        XCTAssertThrowsError(try browser.load(html: "<html><body></body></html>")) { error in
            guard case HeadlessBrowser.Failure.timedOut = error else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }
}
