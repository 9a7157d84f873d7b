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

        // The script names no path of the machine that wrote it: run by a relative path from the
        // folder above, it writes its files beside itself again.
        let script = try String(contentsOf: outputs.script, encoding: .utf8)
        XCTAssertFalse(script.contains(directory.path), "an absolute path in the script")
        try FileManager.default.removeItem(at: outputs.png)
        try FileManager.default.removeItem(at: outputs.svg)
        let relative = Process()
        relative.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        relative.arguments = ["gnuplot", directory.lastPathComponent + "/x.gp"]
        relative.currentDirectoryURL = directory.deletingLastPathComponent()
        try relative.run()
        relative.waitUntilExit()
        XCTAssertEqual(relative.terminationStatus, 0)
        _ = try assertValidOutputs(outputs)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.deletingLastPathComponent().appendingPathComponent("x.png").path))
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

    // MARK: category axes and fixed ranges

    /// "Final accuracy per variant with 95% CI", the figure these options are for,
    /// in its two layouts. Variant names are long enough to need rotated ticks.
    private let variants = ["baseline", "no-positional", "rope", "learned-positions", "rnn-attention"]

    private func groupedFigure() -> Figure {
        // One series per variant, at x = 0 (validation) and x = 1 (test).
        let series = variants.enumerated().map { i, name -> Series in
            let validation = 0.95 - 0.1 * Double(i), test = 0.9 - 0.1 * Double(i)
            return Series(
                name: name, points: [(0, validation), (1, test)],
                band: [(0, validation - 0.03, validation + 0.02), (1, test - 0.05, test + 0.04)])
        }
        return Figure(
            title: "Final accuracy (95% CI over seeds)", xLabel: "split", yLabel: "sequence accuracy",
            series: series, kind: .bars, palette: variants,
            xTicks: [Figure.Tick(value: 0, label: "validation"), Figure.Tick(value: 1, label: "test")],
            yRange: 0...1)
    }

    private func perVariantFigure() -> Figure {
        // One series per variant, each at its own x; the ticks name the variants.
        let series = variants.enumerated().map { i, name -> Series in
            let test = 0.9 - 0.1 * Double(i)
            return Series(name: name, points: [(Double(i), test)], band: [(Double(i), test - 0.05, test + 0.04)])
        }
        return Figure(
            title: "Final test accuracy (95% CI over seeds)", xLabel: "variant", yLabel: "sequence accuracy",
            series: series, kind: .bars, palette: variants,
            xTicks: variants.enumerated().map { Figure.Tick(value: Double($0.offset), label: $0.element) },
            yRange: 0...1)
    }

    func testBarLayoutsCentreBarsWithoutOverlap() throws {
        // Grouped: five bars around each of x = 0 and 1, side by side, centred on the tick.
        let grouped = Gnuplot.BarLayout(groupedFigure().series)
        XCTAssertEqual(grouped.barWidth, 0.8 / 5, accuracy: 1e-12)
        for x in [0.0, 1.0] {
            let centres = (0..<5).map { grouped.centre(series: $0, x: x) }
            XCTAssertEqual(centres.reduce(0, +) / 5, x, accuracy: 1e-12, "group not centred on its tick")
            for (a, b) in zip(centres, centres.dropFirst()) {
                XCTAssertEqual(b - a, grouped.barWidth, accuracy: 1e-12, "bars overlap or leave gaps")
            }
        }
        // One bar per variant: each bar sits on its own tick, 0.8 wide.
        let single = Gnuplot.BarLayout(perVariantFigure().series)
        XCTAssertEqual(single.barWidth, 0.8, accuracy: 1e-12)
        for i in 0..<5 { XCTAssertEqual(single.centre(series: i, x: Double(i)), Double(i)) }
        // The error bars are drawn at the bar centres (the 4th column of the band block).
        let script = Gnuplot.script(for: perVariantFigure(), output: "/o")
        XCTAssertTrue(script.contains(" 0.74 2\nEOD"), script)
        XCTAssertTrue(script.contains("$band2 using 4:(($2+$3)/2):2:3 with yerrorbars"))
        XCTAssertTrue(script.contains("$data2 using 3:2 with boxes"))
    }

    func testTicksAndYRangeInScript() {
        let grouped = Gnuplot.script(for: groupedFigure(), output: "/o")
        XCTAssertTrue(grouped.contains("\nset xtics ('validation' 0, 'test' 1) nomirror rotate by -30 left noenhanced\n"), grouped)
        XCTAssertTrue(grouped.contains("\nset yrange [0:1]\n"))
        XCTAssertFalse(grouped.contains("[0:*]"), "yRange must replace the bars' default range")
        XCTAssertTrue(grouped.contains("\nset xrange [-0.6:1.6]\n"))
        // Short labels stay horizontal.
        var short = groupedFigure()
        short.xTicks = [Figure.Tick(value: 0, label: "val"), Figure.Tick(value: 1, label: "test")]
        short.yRange = nil
        let script = Gnuplot.script(for: short, output: "/o")
        XCTAssertTrue(script.contains("\nset xtics ('val' 0, 'test' 1) nomirror noenhanced\n"), script)
        XCTAssertTrue(script.contains("\nset yrange [0:*]\n"))
        // Infinite bounds are left to gnuplot; non-finite tick positions are dropped; lines get ranges too.
        let lines = Figure(
            title: "t", xLabel: "x", yLabel: "y", series: [Series(name: "a", points: [(1, 1)])],
            xTicks: [Figure.Tick(value: .nan, label: "nowhere"), Figure.Tick(value: 1, label: "one")],
            yRange: -Double.infinity...2.5)
        let linesScript = Gnuplot.script(for: lines, output: "/o")
        XCTAssertTrue(linesScript.contains("\nset xtics ('one' 1) nomirror noenhanced\n"), linesScript)
        XCTAssertTrue(linesScript.contains("\nset yrange [*:2.5]\n"))
        XCTAssertFalse(linesScript.contains("nowhere"))
        // No ticks, no range: nothing new in the script.
        XCTAssertFalse(Gnuplot.script(for: sampleFigure(kind: .lines), output: "/o").contains("xtics"))
        XCTAssertFalse(Gnuplot.script(for: sampleFigure(kind: .lines), output: "/o").contains("yrange"))
    }

    func testLogAxesGetPlainTickNumbers() {
        var figure = sampleFigure(kind: .lines)
        XCTAssertFalse(Gnuplot.script(for: figure, output: "/o").contains("set format"))
        figure.logY = true
        let script = Gnuplot.script(for: figure, output: "/o")
        XCTAssertTrue(script.contains("\nset logscale y\nset format y '%g'\n"), script)
        XCTAssertFalse(script.contains("set format x"))
    }

    func testFinalAccuracyLayoutsRender() throws {
        // Set ABLATE_KEEP_PLOTS=1 to keep the PNGs and look at them.
        for (name, figure) in [("grouped", groupedFigure()), ("per-variant", perVariantFigure())] {
            let svg = try assertValidOutputs(try Gnuplot.render(figure, to: directory, name: name))
            for variant in variants { XCTAssertTrue(svg.contains(variant), "\(variant) missing from \(name)") }
        }
    }

    func testHostileTickLabelsAreShownNotRun() throws {
        // gnuplot runs in `directory`, so a relative `touch` would leave a file there.
        let absolute = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString.prefix(8))")
        let labels = [
            #"system("touch MARKER")"#,
            "`touch MARKER2`",
            "it's",
            "two\nlines",
            #"a\b @x $data0 {y}^2"#,
            "`touch \(absolute.path)` and then some",
        ]
        let series = labels.enumerated().map { i, label in
            Series(name: label, points: [(Double(i), 0.4 + 0.1 * Double(i))], band: [(Double(i), 0.3, 0.95)])
        }
        let figure = Figure(
            title: "hostile ticks", xLabel: "variant", yLabel: "accuracy", series: series, kind: .bars,
            xTicks: labels.enumerated().map { Figure.Tick(value: Double($0.offset), label: $0.element) },
            yRange: 0...1)
        let outputs = try Gnuplot.render(figure, to: directory, name: "ticks")
        let script = try String(contentsOf: outputs.script, encoding: .utf8)
        let long = "'`touch \(absolute.path)`'".prefix(24) + "\u{2026}'"  // 23 characters of the label, then the ellipsis
        XCTAssertTrue(
            script.contains(
                #"set xtics ('system("touch MARKER")' 0, '`touch MARKER2`' 1, 'it''s' 2, 'two lines' 3, "#
                    + #"'a\b @x $data0 {y}^2' 4, "# + long + " 5) nomirror rotate by -30 left noenhanced"),
            script)
        let svg = try assertValidOutputs(outputs)
        XCTAssertFalse(FileManager.default.fileExists(atPath: absolute.path), "gnuplot ran a command")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(files, ["ticks.gp", "ticks.png", "ticks.svg"], "gnuplot ran a command")
        for text in ["`touch MARKER2`", "@x $data0 {y}^2", "two lines", #"a\b @x"#] {
            XCTAssertTrue(svg.contains(text), "\(text) not shown as written")
        }
        XCTAssertTrue(svg.contains("system(&quot;touch MARKER&quot;)") || svg.contains("system(\"touch MARKER\")"))
    }

    func testBarsWithTicksSnapshot() {
        let figure = Figure(
            title: "final", xLabel: "split", yLabel: "accuracy",
            series: [
                Series(name: "rope", points: [(0, 0.9), (1, 0.8)], band: [(0, 0.85, 0.95), (1, 0.7, 0.9)]),
                Series(name: "none", points: [(0, 0.5), (1, 0.25)]),
            ],
            kind: .bars, palette: ["none", "rope"],
            xTicks: [Figure.Tick(value: 0, label: "validation"), Figure.Tick(value: 1, label: "it's test")],
            yRange: 0...1)
        let actual = Gnuplot.script(for: figure, output: "/plots/final")
        if ProcessInfo.processInfo.environment["ABLATE_RECORD_SNAPSHOTS"] == "1" {
            print("---- new snapshot for testBarsWithTicksSnapshot ----\n\(actual)---- end ----")
        }
        let expected = #"""
            # Written by ablate (Plots). Re-render with: gnuplot <this file>
            reset
            ablate_dir = ''
            if (exists("ARG0") && strlen(ARG0) > 0) {
                ablate_i = strlen(ARG0)
                while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
                if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
            }
            $data0 << EOD
            0 0.9 -0.2
            1 0.8 0.8
            EOD
            $band0 << EOD
            0 0.85 0.95 -0.2
            1 0.7 0.9 0.8
            EOD
            $data1 << EOD
            0 0.5 0.2
            1 0.25 1.2
            EOD
            set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
            set output ablate_dir.'final.png'
            set title 'final' noenhanced
            set xlabel 'split' noenhanced
            set ylabel 'accuracy' noenhanced
            set key outside right top noenhanced
            set grid back lc rgb '#dddddd'
            set xtics ('validation' 0, 'it''s test' 1) nomirror rotate by -30 left noenhanced
            set yrange [0:1]
            set boxwidth 0.4 absolute
            set style fill solid 0.8 noborder
            set pointintervalbox 0.0001
            set xrange [-0.6:1.6]
            plot $data0 using 3:2 with boxes linecolor rgb '#E69F00' title 'rope', \
                 $band0 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
                 $data1 using 3:2 with boxes linecolor rgb '#0072B2' title 'none'
            set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
            set output ablate_dir.'final.svg'
            replot
            unset output

            """#
        XCTAssertEqual(actual, expected, "run with ABLATE_RECORD_SNAPSHOTS=1 to print the new snapshot")
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
            ablate_dir = ''
            if (exists("ARG0") && strlen(ARG0) > 0) {
                ablate_i = strlen(ARG0)
                while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
                if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
            }
            $data0 << EOD
            1 0.5
            2 0.25
            EOD
            $band0 << EOD
            1 0.4 0.6
            2 0.2 0.3
            EOD
            set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
            set output ablate_dir.'x.png'
            set title 'tiny' noenhanced
            set xlabel 'length' noenhanced
            set ylabel 'accuracy' noenhanced
            set key outside right top noenhanced
            set grid back lc rgb '#dddddd'
            set object 1 rect from 1, graph 0 to 1.5, graph 1 behind fillcolor rgb '#eeeeee' fillstyle solid 1.0 noborder
            plot $band0 using 1:2:3 with filledcurves fillcolor rgb '#E69F00' fillstyle transparent solid 0.2 noborder notitle, \
                 $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'rope'
            set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
            set output ablate_dir.'x.svg'
            replot
            unset output

            """#
        XCTAssertEqual(actual, expected, "run with ABLATE_RECORD_SNAPSHOTS=1 to print the new snapshot")
    }
}
