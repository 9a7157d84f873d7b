import Foundation
import Plots
import Store

// The "Tuning" part of a report, of `ablate compare` and of the figures: what was tuned and how,
// each variant's choice with its effect both tuned and at the baseline's own setting, the rungs,
// the steps spent, and one sensitivity figure per tuned setting.

extension TuningAnalysis {
    /// "grid" or "successive halving (eta 3; rungs of 100, 300 steps)".
    public var methodText: String {
        guard settings.method == "halving" else { return "grid (every candidate on every selection seed, to the end of training)" }
        var text = "successive halving (eta \(settings.eta): each rung keeps the best ceil(n/\(settings.eta)) of its n candidates"
        // Each distinct ladder of the rungs decided so far (variants trained for different steps have their own).
        var ladders: [[Int]] = []
        for row in variants {
            var steps: [Int: Int] = [:]
            for decision in row.decisions { steps[decision.rung] = decision.steps }
            let ladder = steps.keys.sorted().map { steps[$0]! }
            if !ladder.isEmpty, !ladders.contains(ladder) { ladders.append(ladder) }
        }
        let rungs = ladders.map { $0.map(Format.grouped).joined(separator: ", ") }
        if !rungs.isEmpty { text += "; rungs of " + rungs.joined(separator: " | ") + " steps" }
        if let first = settings.firstRung { text += "; first rung \(Format.fixed(first * 100, 1))% of the steps" }
        return text + ")"
    }

    /// What was tuned and how: one line per fact.
    public func settingsTable() -> Table {
        var rows = settings.axes.map { ["tuned", "\($0.key) = " + $0.values.joined(separator: ", ")] }
        rows.append(["candidates", "\(settings.candidates.count) (every combination of the values), each variant tuned on its own"])
        rows.append(["method", methodText])
        rows.append(["selection", "\(metricLabel) (\(higherIsBetter ? "higher" : "lower") is better) at each trial's last step, "
                     + "mean over the selection seeds " + settings.selectionSeeds.map(String.init).joined(separator: ", ")])
        return Table(title: "What was tuned", columns: ["", "value"], rows: rows)
    }

    /// A candidate's name, or "#i" when the settings do not have it.
    func candidateName(_ index: Int) -> String {
        settings.candidates.indices.contains(index) ? settings.candidates[index].name : "#\(index)"
    }

    /// A decision's value as tables show it.
    func valueText(_ value: Double?) -> String { value.map { Format.fixed($0, 3) } ?? "diverged" }

    /// Per variant: the choice, its value, the edge rule, and its effect against the baseline both
    /// tuned and at the baseline's own setting.
    public func summaryTable(_ analysis: ExperimentAnalysis) -> Table {
        let rows = variants.map { row -> [String] in
            let chosen: String, value: String
            if let decision = row.chosenDecision {
                chosen = candidateName(decision.candidate)
                value = "\(valueText(decision.value)) (rung \(decision.rung), \(Format.grouped(decision.steps)) steps)"
            } else {
                chosen = "not chosen yet" + (row.lastRung.map { " (rung \($0) decided)" } ?? " (no rung decided)")
                value = "-"
            }
            let edge = row.edges.isEmpty ? (row.chosen == nil ? "-" : "no")
                : "WARNING: " + row.edges.map { "\($0.key) at its \($0.largest ? "largest" : "smallest") value: widen it" }.joined(separator: "; ")
            let isBaseline = row.name == analysis.baseline || row.name == analysis.options.baseline
            let tuned = row.tuned.flatMap { $0.test ?? $0.validation }
            let own = row.atBaselineSetting.flatMap { $0.test ?? $0.validation }
            let changed: String
            if isBaseline {
                changed = "-"
            } else if tuned == nil || own == nil {
                changed = "-"
            } else {
                let (a, b) = (analysis.reading(own), analysis.reading(tuned))
                changed = a == b ? "no" : "yes: \(a) at the baseline's setting, \(b) tuned"
            }
            return [
                row.name + (isBaseline ? " (baseline)" : ""), chosen, value, edge, "\(row.finalsDone)/\(row.finals)",
                isBaseline ? "reference" : tuned.map(analysis.effectText) ?? "-",
                isBaseline ? "-" : analysis.reading(tuned),
                isBaseline ? "reference" : own.map(analysis.effectText) ?? "-",
                isBaseline ? "-" : analysis.reading(own),
                changed,
            ]
        }
        return Table(
            title: "What tuning chose, and what it changes",
            columns: ["variant", "chosen", "\(metricLabel) at its last rung", "edge of range", "final runs done",
                      "effect, each at its best [95% CI]", "reading", "effect at the baseline's setting [95% CI]", "reading",
                      "reading changed"],
            rows: rows, alignments: [.left, .left, .right, .left, .right, .right, .left, .right, .left, .left])
    }

    /// One variant's rungs: each candidate's value, rank and decision at each rung it trained in.
    public func rungTable(_ row: TunedVariant) -> Table {
        let rungs = Array(Set(row.decisions.map(\.rung))).sorted()
        var steps: [Int: Int] = [:]
        for decision in row.decisions { steps[decision.rung] = decision.steps }
        // Candidates by their place in the last rung they reached, then by their place before.
        let candidates = Array(Set(row.decisions.map(\.candidate))).sorted { a, b in
            let lastA = row.decisions.filter { $0.candidate == a }.max { ($0.rung, -$0.rank) < ($1.rung, -$1.rank) }!
            let lastB = row.decisions.filter { $0.candidate == b }.max { ($0.rung, -$0.rank) < ($1.rung, -$1.rank) }!
            if lastA.rung != lastB.rung { return lastA.rung > lastB.rung }
            if lastA.rank != lastB.rank { return lastA.rank < lastB.rank }
            return a < b
        }
        let rows = candidates.map { candidate -> [String] in
            [candidateName(candidate)] + rungs.map { rung in
                guard let decision = row.decisions.first(where: { $0.rung == rung && $0.candidate == candidate }) else { return "" }
                return "\(valueText(decision.value)) (#\(decision.rank), \(decision.decision.rawValue))"
            }
        }
        return Table(title: "Tuning of \(row.name), rung by rung",
                     columns: ["candidate"] + rungs.map { "rung \($0) (\(steps[$0].map(Format.grouped) ?? "?") steps): \(metricLabel) (rank, decision)" },
                     rows: rows, alignments: [.left] + rungs.map { _ in .right })
    }

    /// Steps spent per variant and in all.
    public func stepsTable() -> Table {
        let halving = settings.method == "halving"
        let rows = steps.map { row -> [String] in
            var cells = [row.variant ?? "all", Format.grouped(row.trials), Format.grouped(row.finals), Format.grouped(row.untuned),
                         Format.grouped(row.total)]
            if halving {
                cells.append(row.fullGrid.map(Format.grouped) ?? "unknown")
                if let full = row.fullGrid, let saved = row.saved, full > 0 {
                    cells.append("\(Format.grouped(saved)) (\(Format.fixed(100 * Double(saved) / Double(full), 0))% of the grid's trials)")
                } else {
                    cells.append("-")
                }
            }
            return cells
        }
        var columns = ["variant", "trials", "final runs", "untuned runs (not also final)", "total"]
        if halving { columns += ["trials of a full grid", "saved by halving"] }
        return Table(title: "Training steps spent", columns: columns, rows: rows,
                     alignments: [.left] + Array(repeating: .right, count: columns.count - 1))
    }

    /// The tables of the tuning, in order: settings, choices, rungs of each variant, steps.
    public func tables(_ analysis: ExperimentAnalysis) -> [Table] {
        [settingsTable(), summaryTable(analysis)] + variants.filter { !$0.decisions.isEmpty }.map(rungTable) + [stepsTable()]
    }

    /// The report's "Tuning" section.
    func section(_ analysis: ExperimentAnalysis, figures: [(figure: ReportFigure, png: [UInt8], link: String)]) -> ReportSection {
        var blocks: [ReportBlock] = []
        blocks.append(.paragraph(label: nil, text: "Each variant (the baseline included) was tuned on its own: every candidate trained "
            + "on the selection seeds (trials: validation only, never tested), ranked by \(metricLabel); the chosen candidate was then "
            + "trained on every seed of the experiment (the final runs, the only tuned runs evaluated on the test split). "
            + "The results above are those final runs: each variant at its own chosen values, against the baseline at its own."))
        blocks.append(.table(settingsTable()))
        let edges = variants.flatMap { row in row.edges.map { (row.name, $0) } }
        if !edges.isEmpty {
            blocks.append(.list(edges.map { name, edge in
                "WARNING: \(name): the chosen \(edge.key) = \(edge.value) is the \(edge.largest ? "largest" : "smallest") of the values tried: "
                    + "at the edge of its range: widen it (the best value may lie beyond)."
            }))
        }
        blocks.append(.paragraph(label: nil, text: "Effect, each at its best: a variant's final runs minus the baseline's final runs, "
            + "paired by seed (in \(analysis.metricLabel), test when both have it). Effect at the baseline's setting: the untuned runs "
            + "(each variant with the baseline's own values of the tuned settings) minus the baseline's untuned runs, paired by seed: "
            + "what the experiment measured before tuning. Intervals and readings as in the effects above."))
        blocks.append(.table(summaryTable(analysis)))
        for row in variants where !row.decisions.isEmpty { blocks.append(.table(rungTable(row))) }
        if variants.contains(where: { $0.decisions.isEmpty }) {
            blocks.append(.paragraph(label: nil, text: "No rung decided yet for "
                + variants.filter { $0.decisions.isEmpty }.map(\.name).joined(separator: ", ") + ": tuning is in progress."))
        }
        let total = steps.last
        var stepsText = "The sum of the steps each run trained (RunRecord.steps), each run counted once: a run that is both a final "
            + "and an untuned run (the chosen values are the baseline's own) is counted under final runs"
        if let total, total.shared > 0 { stepsText += " (\(total.shared) such run\(total.shared == 1 ? "" : "s"))" }
        stepsText += "."
        if let total, total.unfinished > 0 {
            stepsText += " \(total.unfinished) run\(total.unfinished == 1 ? " has" : "s have") not finished and count no steps yet."
        }
        if settings.method == "halving" {
            stepsText += " A full grid would have trained every candidate on every selection seed for the variant's train.steps; "
                + "halving saved the difference."
        }
        blocks.append(.paragraph(label: nil, text: stepsText))
        blocks.append(.table(stepsTable()))
        for figure in figures where figure.figure.name.hasPrefix(Self.figurePrefix) {
            blocks.append(.figure(figure.figure, figure.png, figure.link))
        }
        return ReportSection(heading: "Tuning", blocks: blocks)
    }

    static let figurePrefix = "tuning-"

    /// The figure's file stem for an axis: "tuning-train.lr" (anything but letters, digits, '.', '_', '-' as '_').
    static func figureName(_ key: String) -> String {
        figurePrefix + String(key.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
    }

    /// The tried values with a margin: a factor 1.25 each side on a log axis, 5% of the span (half a
    /// step for named values) on a linear one.
    static func xRange(_ axis: AxisSensitivity) -> ClosedRange<Double>? {
        guard let low = axis.positions.min(), let high = axis.positions.max() else { return nil }
        if axis.logScale { return (low / 1.25)...(high * 1.25) }
        let numeric = axis.axis.numeric && axis.axis.values.allSatisfy { Double($0) != nil }
        let margin = numeric ? (high > low ? 0.05 * (high - low) : max(abs(low) * 0.1, 1)) : 0.5
        return (low - margin)...(high + margin)
    }

    /// One figure per tuned setting: the selection metric at rung 0 against its values, a line per variant.
    func figures() -> [ReportFigure] {
        let name = MetricName(rawValue: settings.metric)?.label ?? settings.metric
        let palette = variants.map(\.name)
        let grid = settings.method != "halving"
        return sensitivity.map { axis in
            let series = axis.lines.map { line in
                Series(name: line.variant,
                       points: line.points.map { (axis.positions[$0.value], $0.mean) },
                       band: line.points.contains { $0.seeds > 1 } ? line.points.map { (axis.positions[$0.value], $0.low, $0.high) } : nil)
            }
            let steps = axis.steps.isEmpty ? "rung 0"
                : (axis.steps.count == 1 ? Format.grouped(axis.steps[0]) : "\(Format.grouped(axis.steps.first!))-\(Format.grouped(axis.steps.last!))")
                    + " steps" + (grid ? "" : ", rung 0")
            let several = settings.axes.count > 1
            let seeds = settings.selectionSeeds.map(String.init).joined(separator: ", ")
            return ReportFigure(
                name: Self.figureName(axis.axis.key),
                caption: "Validation \(name) of each value of \(axis.axis.key) after \(grid ? "training (\(steps))" : "the first rung (\(steps))"), "
                    + "one line per variant: the mean over the selection seeds (\(seeds))"
                    + (settings.selectionSeeds.count > 1 ? "; band: their range (min to max)" : "")
                    + (several ? "; with several tuned settings, each value shows its best candidate over the others" : "")
                    + (axis.logScale ? "; logarithmic x axis" : "") + ".",
                figure: Figure(title: "Tuning \(axis.axis.key): validation \(name) after \(steps)",
                               xLabel: axis.axis.key + (axis.logScale ? " (log scale)" : ""),
                               yLabel: "validation \(name) (\(steps))",
                               series: series, kind: .linesWithBand, palette: palette, logX: axis.logScale,
                               xTicks: zip(axis.positions, axis.axis.values).map { Figure.Tick(value: $0, label: $1) },
                               yRange: higherIsBetter ? -0.02...1.02 : nil, xRange: Self.xRange(axis)))
        }
    }
}
