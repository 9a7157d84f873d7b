import Foundation
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import Plots

final class GnuplotTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ablate-plots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if ProcessInfo.processInfo.environment["ABLATE_KEEP_PLOTS"] == nil { try? FileManager.default.removeItem(at: directory) } else { print("kept \(directory.path)") }
    }

    // MARK: fixtures

    private func sampleFigure(kind: Figure.Kind) -> Figure {
        let lengths: [Double] = [8, 16, 32, 64, 128]
        let sinusoidal = Series(
            name: "sinusoidal",
            points: lengths.map { ($0, $0 <= 32 ? 0.99 : 0.4 - $0 / 1000) },
            band: lengths.map { ($0, ($0 <= 32 ? 0.97 : 0.3), ($0 <= 32 ? 1.0 : 0.5)) })
        let rope = Series(
            name: "rope",
            points: lengths.map { ($0, $0 <= 32 ? 0.995 : 0.7) },
            band: lengths.map { ($0, ($0 <= 32 ? 0.99 : 0.6), ($0 <= 32 ? 1.0 : 0.8)) })
        return Figure(
            title: "Reverse: accuracy by length", xLabel: "length", yLabel: "sequence accuracy",
            series: [sinusoidal, rope], kind: kind,
            marks: [Mark(from: 8, to: 32, label: "training lengths")],
            palette: ["none", "sinusoidal", "learned", "rope"])
    }

    private func assertValidOutputs(
        _ outputs: (png: URL, svg: URL, script: URL), file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let png = try Data(contentsOf: outputs.png)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], file: file, line: line)
        XCTAssertGreaterThan(png.count, 1024, file: file, line: line)
        let svg = try Data(contentsOf: outputs.svg)
        let parser = XMLParser(data: svg)
        XCTAssertTrue(parser.parse(), "SVG does not parse: \(String(describing: parser.parserError))", file: file, line: line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: outputs.script.path), file: file, line: line)
        return String(decoding: svg, as: UTF8.self)
    }

    // MARK: rendering

    func testRendersEveryKind() throws {
        for kind in [Figure.Kind.lines, .linesWithBand, .bars] {
            let name = "fig-\(kind)"
            let outputs = try Gnuplot.render(sampleFigure(kind: kind), to: directory, name: name)
            XCTAssertEqual(outputs.png.lastPathComponent, "\(name).png")
            XCTAssertEqual(outputs.svg.lastPathComponent, "\(name).svg")
            XCTAssertEqual(outputs.script.lastPathComponent, "\(name).gp")
            let svg = try assertValidOutputs(outputs)
            XCTAssertTrue(svg.contains("Reverse: accuracy by length"), "title missing for \(kind)")
            XCTAssertTrue(svg.contains("rope"))
        }
    }

    func testSavedScriptRerendersOnItsOwn() throws {
        let outputs = try Gnuplot.render(sampleFigure(kind: .linesWithBand), to: directory, name: "x")
        try FileManager.default.removeItem(at: outputs.png)
        try FileManager.default.removeItem(at: outputs.svg)
        // Run from another directory, with only the script.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gnuplot", outputs.script.path]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        _ = try assertValidOutputs(outputs)
    }

    func testEmptyFigureStillRenders() throws {
        let figure = Figure(
            title: "nothing yet", xLabel: "x", yLabel: "y",
            series: [Series(name: "empty", points: [])], kind: .bars)
        _ = try assertValidOutputs(try Gnuplot.render(figure, to: directory, name: "empty"))
    }

    func testNonFiniteValuesBecomeGaps() throws {
        let figure = Figure(
            title: "gaps", xLabel: "step", yLabel: "loss",
            series: [Series(name: "a", points: [(1, 2), (2, .nan), (3, .infinity), (4, 1)])])
        XCTAssertTrue(Gnuplot.script(for: figure, output: "/o").contains("2 NaN\n3 NaN\n"))
        _ = try assertValidOutputs(try Gnuplot.render(figure, to: directory, name: "gaps"))
    }

    // MARK: hostile strings

    func testHostileStringsAreShownNotRun() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("pwned-\(UUID().uuidString)")
        let marker2 = marker.path + "-2"
        let marker3 = marker.path + "-3"
        let title = "it's a \"test\" \\ `touch \(marker.path)` system(\"touch \(marker2)\") @title $data0 x^2 a_b {c}"
        let nasty = "line1\nline2'; system('touch \(marker3)'); print '\r\u{07}tab\there `id` @@ $$"
        let figure = Figure(
            title: title, xLabel: nasty, yLabel: "y' \\",
            series: [
                Series(name: nasty, points: [(1, 1), (2, 2)]),
                Series(name: "eval(`touch \(marker.path)`)", points: [(1, 2), (2, 1)]),
            ],
            marks: [Mark(from: 1, to: 1.5, label: "system(\"touch \(marker2)\") '")])
        let outputs = try Gnuplot.render(figure, to: directory, name: "hostile")
        let svg = try assertValidOutputs(outputs)
        for path in [marker.path, marker2, marker3] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "gnuplot ran a command: \(path) exists")
        }
        // Nothing but our three outputs in the directory.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(files, ["hostile.gp", "hostile.png", "hostile.svg"])
        // The text survives, XML-escaped, in the SVG.
        XCTAssertTrue(svg.contains("`touch \(marker.path)`"), "backtick text missing")
        XCTAssertTrue(svg.contains("system(&quot;touch \(marker2)&quot;)") || svg.contains("system(\"touch \(marker2)\")"))
        XCTAssertTrue(svg.contains("@title $data0 x^2 a_b {c}"), "enhanced-mode characters were interpreted")
        XCTAssertTrue(svg.contains("it&apos;s") || svg.contains("it's"))
    }

    func testQuote() {
        XCTAssertEqual(Gnuplot.quote("plain"), "'plain'")
        XCTAssertEqual(Gnuplot.quote("it's"), "'it''s'")
        XCTAssertEqual(Gnuplot.quote("a\\b `c` $d @e"), "'a\\b `c` $d @e'")
        XCTAssertEqual(Gnuplot.quote("a\nb\r\nc\td"), "'a b c d'")
        XCTAssertEqual(Gnuplot.quote("bell\u{07}"), "'bell\u{FFFD}'")
    }

    // MARK: colours

    func testColoursAreStablePerVariant() {
        let palette = ["none", "sinusoidal", "learned", "rope"]
        XCTAssertEqual(Gnuplot.colour(for: "rope", in: palette), Gnuplot.colours[3])
        XCTAssertEqual(Gnuplot.colour(for: "none", in: palette), Gnuplot.colours[0])
        XCTAssertEqual(Gnuplot.colour(for: "unlisted", in: palette), Gnuplot.colour(for: "unlisted", in: []))
        // The same variant has the same colour whatever the series order in a figure.
        var figure = sampleFigure(kind: .lines)
        let forward = Gnuplot.script(for: figure, output: "/o")
        figure.series.reverse()
        let reversed = Gnuplot.script(for: figure, output: "/o")
        for script in [forward, reversed] {
            XCTAssertTrue(script.contains("linecolor rgb '\(Gnuplot.colours[3])' title 'rope'"))
            XCTAssertTrue(script.contains("linecolor rgb '\(Gnuplot.colours[1])' title 'sinusoidal'"))
        }
    }

    // MARK: heatmaps

    func testHeatmapRendersWithHostileTicks() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("pwned-\(UUID().uuidString)")
        let tokens = ["<s>", "a", "`touch \(marker.path)`", "it's", "x^2_{y}", "</s>"]
        let n = tokens.count
        // A causal attention pattern: each row is a distribution over earlier keys.
        let rows = (0..<n).map { i in (0..<n).map { j in j <= i ? 1.0 / Double(i + 1) : 0 } }
        let heatmap = Heatmap(
            title: "layer 0, head 1 @x $y", xLabel: "key", yLabel: "query", rows: rows,
            xTicks: tokens, yTicks: tokens, range: 0...1, colourLabel: "weight")
        let outputs = try Gnuplot.render(heatmap, to: directory, name: "attention")
        let svg = try assertValidOutputs(outputs)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path))
        XCTAssertTrue(svg.contains("layer 0, head 1 @x $y"))
        XCTAssertTrue(svg.contains("`touch \(marker.path)`"))
        XCTAssertTrue(svg.contains("x^2_{y}"))
    }

    func testRaggedAndEmptyHeatmapsRender() throws {
        let ragged = Heatmap(title: "ragged", xLabel: "j", yLabel: "i", rows: [[1, 2, 3], [4], [.nan, 5]])
        XCTAssertTrue(Gnuplot.script(for: ragged, output: "/o").contains("\n4 NaN NaN\n"))
        _ = try assertValidOutputs(try Gnuplot.render(ragged, to: directory, name: "ragged"))
        let empty = Heatmap(title: "empty", xLabel: "j", yLabel: "i", rows: [])
        _ = try assertValidOutputs(try Gnuplot.render(empty, to: directory, name: "empty"))
    }

    // MARK: snapshot

    func testScriptSnapshot() {
        let figure = Figure(
            title: "tiny", xLabel: "length", yLabel: "accuracy",
            series: [
                Series(name: "rope", points: [(1, 0.5), (2, 0.25)], band: [(1, 0.4, 0.6), (2, 0.2, 0.3)])
            ],
            kind: .linesWithBand, marks: [Mark(from: 1, to: 1.5)], palette: ["none", "rope"])
        let actual = Gnuplot.script(for: figure, output: "/plots/tiny/x")
        if ProcessInfo.processInfo.environment["ABLATE_RECORD_SNAPSHOTS"] == "1" {
            print("---- new snapshot for testScriptSnapshot ----\n\(actual)---- end ----")
        }
        let expected = #"""
            # Written by ablate (Plots). Re-render with: gnuplot <this file>
            reset
            $data0 << EOD
            1 0.5
            2 0.25
            EOD
            $band0 << EOD
            1 0.4 0.6
            2 0.2 0.3
            EOD
            set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
            set output '/plots/tiny/x.png'
            set title 'tiny' noenhanced
            set xlabel 'length' noenhanced
            set ylabel 'accuracy' noenhanced
            set key outside right top noenhanced
            set grid back lc rgb '#dddddd'
            set object 1 rect from 1, graph 0 to 1.5, graph 1 behind fillcolor rgb '#eeeeee' fillstyle solid 1.0 noborder
            plot $band0 using 1:2:3 with filledcurves fillcolor rgb '#E69F00' fillstyle transparent solid 0.2 noborder notitle, \
                 $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'rope'
            set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
            set output '/plots/tiny/x.svg'
            replot
            unset output

            """#
        XCTAssertEqual(actual, expected, "run with ABLATE_RECORD_SNAPSHOTS=1 to print the new snapshot")
    }
}
