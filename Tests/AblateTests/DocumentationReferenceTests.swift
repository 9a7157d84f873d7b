import Foundation
import XCTest

/// No dangling references: every Markdown page that the docs, the sources or the help text name is in
/// the repository, every relative link resolves, and every in-page anchor names a heading.
final class DocumentationReferenceTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What users and readers of the code see: the README, docs/, the sources, the scripts and the manifest.
    /// (Test sources are left out: they name report files that the tests write.)
    func testEveryPageNamedInTheDocsAndSourcesExists() throws {
        var checked = 0
        for file in try Self.textFiles() {
            let text = try String(contentsOf: file, encoding: .utf8)
            for name in Self.pageNames(in: text) {
                checked += 1
                XCTAssertTrue(Self.pageExists(name), "\(Self.relative(file)) names \(name), which is not in the repository")
            }
        }
        XCTAssertGreaterThan(checked, 20, "the scan found the pages the docs name")
    }

    /// The help of every command that cites a page cites one that exists (bench cites docs/performance.md).
    func testTheHelpTextNamesOnlyPagesInTheRepository() throws {
        var names: [String] = []
        for command in [["--help"], ["bench", "--help"], ["run", "--help"], ["report", "--help"], ["doctor", "--help"]] {
            let result = try AblateBinary.run(command)
            XCTAssertEqual(result.status, 0, "\(command): \(result.standardError)")
            let words = result.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for name in Self.pageNames(in: words) {
                names.append(name)
                XCTAssertTrue(Self.pageExists(name), "ablate \(command.joined(separator: " ")) names \(name), which is not in the repository")
            }
        }
        XCTAssertTrue(names.contains("docs/performance.md"), "bench's help points to the workload definitions: \(names)")
    }

    /// Relative links `[text](path#anchor)` in the README and docs/ resolve, and anchors name a heading of
    /// the page they point into (GitHub's heading slugs).
    func testRelativeLinksAndAnchorsResolve() throws {
        let pages = [Self.root.appendingPathComponent("README.md")] + (try Self.files(under: "docs", ending: ".md"))
        var anchors = 0
        for page in pages {
            let text = try String(contentsOf: page, encoding: .utf8)
            for target in Self.linkTargets(in: text) where !target.contains("://") && !target.hasPrefix("mailto:") {
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let linked = parts[0].isEmpty ? page : page.deletingLastPathComponent().appendingPathComponent(parts[0]).standardizedFileURL
                XCTAssertTrue(FileManager.default.fileExists(atPath: linked.path), "\(Self.relative(page)) links to \(target), which does not exist")
                guard parts.count == 2, linked.pathExtension == "md", let linkedText = try? String(contentsOf: linked, encoding: .utf8) else { continue }
                anchors += 1
                XCTAssertTrue(Self.headingSlugs(in: linkedText).contains(parts[1]),
                              "\(Self.relative(page)) links to \(target), but \(Self.relative(linked)) has no such heading")
            }
        }
        XCTAssertGreaterThan(anchors, 5, "docs/performance.md's contents are in-page links")
    }

    /// docs/performance.md defines the three workloads with the parameter counts `ablate bench` checks.
    func testThePerformancePageDefinesTheWorkloadsTheBenchChecks() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/performance.md"), encoding: .utf8)
        for (id, reference) in BenchCommandTests.reference {
            let definition = "**\(id.uppercased()) \(reference.name)**"
            guard let start = text.range(of: definition) else {
                XCTFail("docs/performance.md has no definition \(definition)")
                continue
            }
            let line = text[start.upperBound...].prefix { $0 != "\n" }
            XCTAssertTrue(line.contains("(\(Self.grouped(reference.parameters)) parameters)"), "\(definition): \(line)")
        }
        XCTAssertTrue(text.contains("## Counting FLOPs") && text.contains("## Measurement log"), "the page's sections")
    }

    // MARK: Helpers

    /// Names of Markdown pages in `text`: `docs/NAME.md` or a bare `NAME.md` (not a path into another
    /// folder such as `reports/NAME.md`, which names a generated report).
    static func pageNames(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"(?<![A-Za-z0-9_./~-])((?:docs/)?[A-Za-z][A-Za-z0-9_-]*\.md)\b"#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }
    }

    /// A bare page name resolves at the top of the repository or in docs/ (the docs link each other by bare name).
    static func pageExists(_ name: String) -> Bool {
        let candidates = name.hasPrefix("docs/") ? [name] : [name, "docs/" + name]
        return candidates.contains { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
    }

    static func linkTargets(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }
    }

    /// GitHub's anchor for each heading: lowercased, punctuation other than `-` and `_` dropped, spaces
    /// made hyphens. Headings inside code blocks are not headings.
    static func headingSlugs(in text: String) -> Set<String> {
        var slugs: Set<String> = []
        var inCode = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode, line.hasPrefix("#") else { continue }
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
            slugs.insert(String(title.compactMap { c -> Character? in
                if c == " " { return "-" }
                return c.isLetter || c.isNumber || c == "-" || c == "_" ? c : nil
            }))
        }
        return slugs
    }

    static func textFiles() throws -> [URL] {
        let top = ["README.md", "Package.swift", "Makefile"].map { root.appendingPathComponent($0) }
        return top + (try files(under: "docs", ending: ".md")) + (try files(under: "Sources", ending: ".swift"))
            + (try files(under: "scripts", ending: ""))
    }

    static func files(under folder: String, ending suffix: String) throws -> [URL] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return try walker.compactMap { $0 as? URL }.filter { url in
            try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true && url.lastPathComponent.hasSuffix(suffix)
        }.sorted { $0.path < $1.path }
    }

    static func relative(_ url: URL) -> String {
        String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
    }

    /// 933396 as "933,396".
    static func grouped(_ value: Int) -> String {
        var digits = Array(String(value))
        var index = digits.count - 3
        while index > 0 { digits.insert(",", at: index); index -= 3 }
        return String(digits)
    }
}
