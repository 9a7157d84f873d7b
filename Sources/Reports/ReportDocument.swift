import Foundation
import Plots

// The report as a document: sections of paragraphs, lists, tables, figures and verbatim text,
// rendered to Markdown (figures linked) and to one self-contained HTML page (figures embedded).
// Every piece of text that came from a user (names, the question, the experiment file, error
// messages) is escaped by the renderers.

extension ExperimentAnalysis {
    /// The tables of the report, in order: variants, their changes, effects, and per-slice accuracy.
    public func tables() -> [Table] {
        var out = [variantTable()]
        let changes = changesTable()
        if !changes.rows.isEmpty { out.append(changes) }
        if baseline != nil, !effects.isEmpty { out.append(effectTable()) }
        if let slices { out.append(sliceTable(slices)) }
        if let tuning { out += tuning.tables(self) }
        return out
    }

    var metricLabel: String { options.metric.label }

    public func variantTable() -> Table {
        let thresholdText = Format.fixed(threshold, 2)
        let rows = variants.map { row -> [String] in
            let steps: String
            if row.done == 0 {
                steps = "-"
            } else if let mean = row.stepsToThreshold.mean {
                steps = "\(Format.fixed(mean, 0)) (\(row.stepsToThreshold.n)/\(row.done) reached)"
            } else {
                steps = "not reached (0/\(row.done))"
            }
            return [
                row.name + (row.name == baseline ? " (baseline)" : ""),
                "\(row.done)/\(row.runs)",
                row.parameters.isEmpty ? "-" : row.parameters.map(Format.grouped).joined(separator: ", "),
                Format.estimate(row.validation),
                Format.estimate(row.test),
                steps,
                row.wallSeconds.mean.map(Format.duration) ?? "-",
            ]
        }
        return Table(
            title: "Variants",
            columns: ["variant", "runs done", "parameters", "validation \(metricLabel) [95% CI]", "test \(metricLabel) [95% CI]",
                      "steps to \(metricLabel) >= \(thresholdText)", "wall time per run"],
            rows: rows, alignments: [.left, .right, .right, .right, .right, .right, .right])
    }

    /// Each variant's changes as the experiment file writes them, with the baseline's values; a
    /// column of descriptions when a variant has one. Grid points with the configuration of an
    /// earlier variant (no runs of their own) follow, saying whose results are theirs.
    public func changesTable() -> Table {
        var rows: [(name: String, description: String, changes: String)] = variants.filter { $0.name != baseline }.map {
            ($0.name, data.plan.variant($0.name)?.description ?? "",
             $0.changes.isEmpty ? "nothing (same configuration as the baseline)" : $0.changes.joined(separator: "; "))
        }
        for point in data.plan.variants {
            guard let same = point.sameAs else { continue }
            let changes = Self.changes(of: point, baseline: configuration?.settings ?? [:]).joined(separator: "; ")
            rows.append((point.name, point.description, changes + "; same configuration as \(same): its results are \(same)'s"))
        }
        let described = rows.contains { !$0.description.isEmpty }
        return Table(title: "What each variant changes",
                     columns: ["variant"] + (described ? ["description"] : []) + ["settings that differ from the baseline"],
                     rows: rows.map { [$0.name] + (described ? [$0.description] : []) + [$0.changes] })
    }

    public func effectTable() -> Table {
        let rows = effects.map { effect -> [String] in
            let pairs = effect.test?.pairedCount ?? effect.validation?.pairedCount ?? 0
            return [
                effect.variant,
                String(pairs),
                effect.validation.map(effectText) ?? "-",
                effect.test.map(effectText) ?? "-",
                reading(effect.test ?? effect.validation),
            ]
        }
        return Table(
            title: "Effect against the baseline (variant - baseline, paired by seed)",
            columns: ["variant", "seeds paired", "validation difference [95% CI]", "test difference [95% CI]", "reading (test)"],
            rows: rows, alignments: [.left, .right, .right, .right, .left])
    }

    /// "+0.233 [+0.200, +0.300]", or "-0.400 (1 pair)" when one pair gives no interval.
    func effectText(_ effect: PairedEffect) -> String {
        effect.pairedCount < 2 ? "\(Format.signed(effect.difference.estimate)) (1 pair)" : Format.effect(effect.difference)
    }

    /// A plain-words reading of an effect's interval.
    func reading(_ effect: PairedEffect?) -> String {
        guard let effect else { return "no common finished seeds" }
        let interval = effect.difference
        if effect.pairedCount < 2 { return "one pair: no interval" }
        if interval.lower > 0 { return "better than the baseline" }
        if interval.upper < 0 { return "worse than the baseline" }
        return "no clear difference"
    }

    public func sliceTable(_ slices: SliceTable) -> Table {
        let showChance = !slices.chance.isEmpty
        var columns = [slices.name, "seen in training"]
        if showChance { columns.append("chance") }
        columns += slices.cells.map { "\($0.variant) [95% CI]" }
        let rows = slices.values.map { value -> [String] in
            var row = [String(value), slices.trainingRange.map { $0.contains(value) ? "yes" : "no" } ?? "?"]
            if showChance { row.append(slices.chance[value].map(Format.chance) ?? "-") }
            row += slices.cells.map { cell in cell.byValue[value].map { Format.estimate($0) } ?? "-" }
            return row
        }
        return Table(title: "Test \(metricLabel) by \(slices.name)", columns: columns, rows: rows,
                     alignments: [.right, .center] + Array(repeating: .right, count: columns.count - 2))
    }

    /// The experiment's facts (recorded at its last registration), overridden by what its runs recorded
    /// when they started: the runs' value where they agree, every value where they differ.
    public func environmentTable() -> Table {
        var facts = data.environment
        var perRun: [String: Set<String>] = [:]
        for environment in data.runEnvironments.values {
            for (name, value) in environment { perRun[name, default: []].insert(value) }
        }
        for (name, values) in perRun { facts[name] = values.sorted().joined(separator: " | ") }
        return Table(title: "", columns: ["fact", "value"], rows: facts.keys.sorted().map { [$0, facts[$0]!] })
    }

    /// A fact every run recorded with the same value, else the experiment's (its last registration's).
    func sharedFact(_ name: String) -> String? {
        let values = Set(data.runEnvironments.values.compactMap { $0[name] })
        return values.count == 1 ? values.first : data.environment[name]
    }

    /// The commands that rebuild this report's numbers from nothing but the experiment file, each word
    /// quoted for a POSIX shell (`Escaping.shellWord`), so they are safe to paste whatever the paths hold.
    /// `fileStem` names the experiment file when the database does not record it (`experiments/STEM.toml`).
    public func reproduceCommands(fileStem: String) -> String {
        let file = data.environment["experiment_file"] ?? "experiments/\(fileStem).toml"
        var lines: [String] = []
        if let commit = sharedFact("git_commit"), commit != "none" {
            lines.append("git checkout \(commit)")
        }
        lines.append("ablate run \(Escaping.shellWord(file))")
        lines.append("ablate report \(Escaping.shellWord(data.databasePath))")
        return lines.joined(separator: "\n")
    }

    // MARK: - The document

    /// The report's sections, as blocks both renderers understand.
    func document(figures: [(figure: ReportFigure, png: [UInt8], link: String)], fileStem: String) -> (title: String, sections: [ReportSection]) {
        var sections: [ReportSection] = []
        let record = data.experiment
        var overview: [ReportBlock] = []
        overview.append(.paragraph(label: "Question", text: record.question.isEmpty ? "(none given)" : record.question))
        var taskText = configuration?.task ?? "unknown"
        if let summary = task?.summary { taskText += ": " + summary }
        let size = task?.sizeName ?? "size"
        if let train = configuration?.trainingSizes {
            taskText += ". Trained on \(size) \(train.lowerBound)-\(train.upperBound)"
            if let evaluation = configuration?.evaluationSizes {
                taskText += ", tested on \(size) \(evaluation.lowerBound)-\(evaluation.upperBound)"
            }
            taskText += "."
        }
        if let chance = task?.chanceExplanation, !chance.isEmpty { taskText += " Chance: " + chance }
        overview.append(.paragraph(label: "Task", text: taskText))
        let settings = configuration?.settings ?? [:]
        let model = settings.keys.filter { $0.hasPrefix("model.") }.sorted()
            .map { "\($0.dropFirst("model.".count))=\(settings[$0]!)" }.joined(separator: ", ")
        overview.append(.paragraph(label: "Baseline", text: baseline == nil
            ? "no run of \"\(options.baseline)\" in the database" : "\(options.baseline): \(model)"))
        let seeds = Set(data.runs.map(\.record.seed)).sorted().map(String.init).joined(separator: ", ")
        overview.append(.paragraph(label: "Runs", text: "\(data.runs.count) runs: \(data.variants.count) configurations x seeds \(seeds); "
            + "\(data.runs.filter { $0.record.status == .done }.count) done. Accuracy is \(metricLabel) "
            + (options.metric == .exactMatch ? "(the fraction of examples whose whole output is right)" : "(the fraction of target tokens right)")
            + "; intervals are 95% Student-t intervals over seeds, clipped to [0, 1]; the database is \(data.databasePath)."
            + (tuning == nil ? "" : " Tuned: these are the final runs (each variant at its chosen values); the trials and the runs "
               + "at the baseline's own setting are in Tuning.")))
        sections.append(ReportSection(heading: "", blocks: overview))

        let paragraphs = findings.components(separatedBy: "\n").split { $0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") }
        if !paragraphs.isEmpty {
            sections.append(ReportSection(heading: "Findings", blocks: paragraphs.map { .paragraph(label: nil, text: $0) }
                + [.paragraph(label: nil, text: "(Written by the experimenter after the runs, in the experiment file; the numbers below are computed from the database.)")]))
        }
        if !warnings.isEmpty { sections.append(ReportSection(heading: "Warnings", blocks: [.list(warnings)])) }

        var results: [ReportBlock] = [.table(variantTable())]
        let changes = changesTable()
        if !changes.rows.isEmpty { results.append(.table(changes)) }
        if let final = figures.first(where: { $0.figure.name == "final-accuracy" }) { results.append(.figure(final.figure, final.png, final.link)) }
        sections.append(ReportSection(heading: "Results per variant", blocks: results))

        if baseline != nil, !effects.isEmpty {
            sections.append(ReportSection(heading: "Effects against the baseline", blocks: [
                .paragraph(label: nil, text: "For each seed trained by both, the difference variant minus baseline in final \(metricLabel); "
                    + "the table gives the mean difference and a 95% percentile bootstrap interval over \(Format.grouped(options.resamples)) "
                    + "resamples of the seeds (seeded, so the same database gives the same interval). An interval that excludes 0 "
                    + "is read as better or worse; one that includes 0 as no clear difference."),
                .table(effectTable()),
            ]))
        }

        if let tuning { sections.append(tuning.section(self, figures: figures)) }

        if let slices {
            var blocks: [ReportBlock] = [.paragraph(label: nil, text: "Final test \(metricLabel) for each \(sizeSingular(slices.name)), mean over seeds "
                + "with its 95% interval; \(sizePlural(slices.name)) not seen in training show how each variant extrapolates.")]
            blocks.append(.table(sliceTable(slices)))
            if let figure = figures.first(where: { $0.figure.name.hasPrefix("accuracy-by-") }) {
                blocks.append(.figure(figure.figure, figure.png, figure.link))
            }
            sections.append(ReportSection(heading: "Length generalisation", blocks: blocks))
        }

        let curves = figures.filter { ["validation-accuracy", "training-loss"].contains($0.figure.name) }
        if !curves.isEmpty {
            sections.append(ReportSection(heading: "Learning curves", blocks: curves.map { .figure($0.figure, $0.png, $0.link) }))
        }

        sections.append(ReportSection(heading: "Environment", blocks: [.table(environmentTable())]))
        sections.append(ReportSection(heading: "Reproduce", blocks: [
            .paragraph(label: nil, text: "From a checkout of ablate (the commit below, when it was recorded), these commands retrain "
                + "every run and rebuild this report; every run's metrics are bit-identical (ablate reproduce RUN checks one run). "
                + "The experiment file as it was run:"),
            .verbatim(record.source),
            .verbatim(reproduceCommands(fileStem: fileStem)),
        ]))
        return ("\(record.name): what each component is worth", sections)
    }

}

/// A piece of a report section.
enum ReportBlock {
    /// A paragraph, optionally led by a bold label.
    case paragraph(label: String?, text: String)
    case list([String])
    case table(Table)
    /// A rendered figure: its description, the PNG bytes (embedded in HTML) and the path Markdown links to.
    case figure(ReportFigure, [UInt8], String)
    /// Text shown exactly as it is (an experiment file, commands).
    case verbatim(String)
}

struct ReportSection {
    var heading: String
    var blocks: [ReportBlock]
}

enum ReportRendering {
    static func markdown(title: String, sections: [ReportSection]) -> String {
        var out = "# \(Escaping.markdownCell(title))\n\n"
        for section in sections {
            if !section.heading.isEmpty { out += "## \(Escaping.markdownCell(section.heading))\n\n" }
            for block in section.blocks {
                switch block {
                case .paragraph(let label, let text):
                    out += (label.map { "**\(Escaping.markdownCell($0)).** " } ?? "") + Escaping.markdownCell(text) + "\n\n"
                case .list(let items):
                    out += items.map { "- " + Escaping.markdownCell($0) }.joined(separator: "\n") + "\n\n"
                case .table(let table):
                    out += table.markdown() + "\n"
                case .figure(let figure, _, let link):
                    out += "![\(Escaping.markdownCell(figure.figure.title))](\(link))\n\n"
                    out += "*\(Escaping.markdownCell(figure.caption))*\n\n"
                case .verbatim(let raw):
                    let text = Escaping.markdownCode(raw)
                    let fence = String(repeating: "`", count: max(3, longestBacktickRun(text) + 1))
                    out += fence + "\n" + text + (text.hasSuffix("\n") ? "" : "\n") + fence + "\n\n"
                }
            }
        }
        return out
    }

    static func html(title: String, sections: [ReportSection]) -> String {
        HTMLPage(title: title, sections: sections.map { section in
            HTMLPage.Section(heading: section.heading, blocks: section.blocks.flatMap { block -> [HTMLPage.Block] in
                switch block {
                case .paragraph(let label, let text):
                    return [.paragraph((label.map { "\($0). " } ?? "") + text)]
                case .list(let items): return [.list(items)]
                case .table(let table): return [.table(table)]
                case .figure(let figure, let png, _):
                    return [.image(bytes: png, mimeType: "image/png", alt: figure.figure.title), .paragraph(figure.caption)]
                case .verbatim(let text): return [.preformatted(text)]
                }
            })
        }).render()
    }

    static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0, current = 0
        for character in text {
            if character == "`" { current += 1; longest = max(longest, current) } else { current = 0 }
        }
        return longest
    }
}
