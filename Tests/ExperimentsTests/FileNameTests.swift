import Foundation
import XCTest
@testable import Experiments

/// `FileNames.stem`: the one function from a name to a path component, and the names the loader
/// refuses because they cannot be kept whole.
final class FileNameTests: XCTestCase {
    static let hostile = [
        "../escaped", "..", ".", "", " ", "/", "a/b", "-rf", ".hidden", "nul\u{0}x", "e\u{1B}[31mred", "bell\u{7}", "cr\r",
        "\u{202E}txt.exe", "new\nline", "quote'\"`", "~", "a~0123456789abcdef", "déjà vu", "中文", "🙂",
        String(repeating: "a", count: 101), String(repeating: "é", count: 300), String(repeating: "x", count: 20_000),
    ]

    /// Every experiment file of the repository keeps its file names: plain names are their own stems.
    func testEveryExampleExperimentKeepsItsFileNames() throws {
        let folder = Files.root.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let experiment = try ExperimentLoader.load(path: folder.appendingPathComponent(file).path)
            XCTAssertTrue(FileNames.isPlain(experiment.name), file)
            XCTAssertEqual(FileNames.stem(experiment.name), experiment.name, file)
            XCTAssertEqual(FileNames.database(forExperiment: experiment.name), "results/\(experiment.name).sqlite")
        }
        for name in ["positional", "a", "A.b_c-9", "x..y", String(repeating: "z", count: 100)] {
            XCTAssertEqual(FileNames.stem(name), name)
        }
    }

    func testAnyOtherNameGivesOneSafeBoundedComponent() {
        for name in Self.hostile {
            let stem = FileNames.stem(name)
            let shown = Array(name.unicodeScalars.prefix(40)).map { String($0).debugDescription }.joined()
            XCTAssertFalse(FileNames.isPlain(name), shown)
            XCTAssertTrue(stem.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-~".unicodeScalars.contains($0)
            }, "\(shown) -> \(stem)")
            XCTAssertLessThanOrEqual(stem.utf8.count, FileNames.maxStemLength, shown)
            XCTAssertLessThanOrEqual((stem + "-checkpoints").utf8.count, 255, shown)
            XCTAssertFalse(stem.hasPrefix(".") || stem.hasPrefix("-") || stem.hasPrefix("~"), stem)
            XCTAssertEqual((stem as NSString).pathComponents, [stem], "one path component: \(stem)")
            XCTAssertEqual(stem.suffix(17).first, "~", stem)
            XCTAssertEqual(String(stem.suffix(16)), String(SHA256.hex(name).prefix(16)), "the hash of the whole name")
            XCTAssertEqual(FileNames.stem(name), stem, "the same name, the same stem")
        }
        XCTAssertEqual(FileNames.stem("../escaped"), "_._escaped~75a9a607e451f2f7")
        XCTAssertEqual(FileNames.stem("déjà vu"), "d_j__vu~2339cb732d32543b")
        XCTAssertEqual(FileNames.stem(String(repeating: "a", count: 101)).count, 100)
    }

    /// Names that the made-safe characters alone would confuse still give distinct stems, and no
    /// made-safe stem equals a plain name.
    func testDistinctNamesGiveDistinctStems() {
        let confusable = ["a/b", "a\\b", "a b", "a_b", "a\u{1B}b", "a\u{0}b", "aéb", "a😀b", "a~b", ".ab", "_ab", "-ab",
                          String(repeating: "a", count: 100) + "b", String(repeating: "a", count: 100) + "c",
                          "A_B", "a_B"]
        let names = Set(confusable + Self.hostile)
        let stems = names.map(FileNames.stem)
        XCTAssertEqual(Set(stems).count, names.count, "\(stems.sorted())")
        for (name, stem) in zip(names, stems) where !FileNames.isPlain(name) {
            XCTAssertFalse(FileNames.isPlain(stem), "the stem of a non-plain name holds the '~' no plain name has: \(stem)")
        }
    }

    func testFilesForValidateNameEveryFileOfTheName() {
        XCTAssertEqual(FileNames.files(forExperiment: "positional"),
                       ["results/positional.sqlite", "results/positional-checkpoints/", "reports/positional.md",
                        "reports/positional.html", "plots/positional/"])
        for file in FileNames.files(forExperiment: "../../up") {
            let parts = file.split(separator: "/")
            XCTAssertEqual(parts.count, 2, file)
            XCTAssertTrue(["results", "reports", "plots"].contains(parts[0]) && parts[1] != ".." && parts[1] != ".", file)
        }
    }

    // MARK: - Names the loader refuses

    func text(name: String, variant: String = #""v""#) -> String {
        """
        [experiment]
        name = \(name)
        seeds = [1]

        [task]
        kind = "copy"
        train_length = [2, 6]

        [model]
        d_model = 16
        heads = 2
        layers = 1
        d_ff = 16

        [[variant]]
        name = \(variant)
        model.heads = 4
        """
    }

    func error(_ text: String) -> ExperimentError? {
        do {
            _ = try ExperimentLoader.load(text: text, path: "x.toml")
            return nil
        } catch let error as ExperimentError {
            return error
        } catch {
            XCTFail("\(error)")
            return nil
        }
    }

    func testAnEscapedNULIsRefusedWhereverItIs() {
        for (name, variant, line, key) in [
            (#""nul\u0000x""#, #""v""#, 2, "experiment.name"),
            (#""nul\U00000000""#, #""v""#, 2, "experiment.name"),
            (#""ok""#, #""a\u0000""#, 16, "variant.name"),
            ("\"\"\"\nmulti\n\\u0000\"\"\"", #""v""#, 4, "experiment.name"),
        ] {
            let error = error(text(name: name, variant: variant))
            XCTAssertEqual(error?.line, line, "\(name) \(variant): \(String(describing: error))")
            XCTAssertEqual(error?.key, key, "\(name) \(variant)")
            XCTAssertTrue(error?.message.contains("NUL") ?? false, String(describing: error))
        }
        // Not a NUL: an escaped backslash, a literal string, a comment, another code point.
        for (name, variant) in [(#""a\\u0000""#, #""v""#), (#"'a\u0000'"#, #""v""#), ("\"\"\"a\\\\u0000\"\"\"", "'''x\\u0000'''"),
                                (#""a\u0001""#, #""v" # \u0000"#), (#""a\u0100""#, #""\U0001F642""#)] {
            XCTAssertNil(error(text(name: name, variant: variant)), "\(name) \(variant)")
        }
        XCTAssertEqual(try ExperimentLoader.load(text: text(name: #""a\\u0000""#), path: "x.toml").name, #"a\u0000"#)
    }

    func testEmptyAndOverlongNamesAreRefused() {
        for name in [#""""#, #"" \t ""#, "\"" + String(repeating: "n", count: 1001) + "\""] {
            let error = error(text(name: name))
            XCTAssertEqual(error?.key, "experiment.name", name)
            XCTAssertEqual(error?.line, 2, name)
            XCTAssertLessThan(error?.description.count ?? .max, 300, "the message does not echo a long name whole")
        }
        let variant = error(text(name: #""ok""#, variant: "\"" + String(repeating: "v", count: 1001) + "\""))
        XCTAssertEqual(variant?.key, "variant.name")
        XCTAssertNotNil(try? ExperimentLoader.load(text: text(name: "\"" + String(repeating: "n", count: 1000) + "\""), path: "x.toml"))
    }

    func testMessagesQuoteNamesWithoutRawControlOrBidiCharacters() {
        let duplicate = text(name: #""ok""#, variant: "\"e\\u001B]0;x\\u0007\\u202E\"") + "\n[[variant]]\nname = \"e\\u001B]0;x\\u0007\\u202E\"\nmodel.heads = 8\n"
        let message = error(duplicate)?.description ?? ""
        XCTAssertTrue(message.contains("duplicate variant name"), message)
        XCTAssertFalse(message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x202E }, message.debugDescription)
        XCTAssertTrue(message.contains(#"\u{1b}]0;x\u{7}\u{202e}"#), message)
    }
}
