import Models
import Settings
import Training

/// The [model] and [train] key tables of docs/experiment-file.md, generated from the settings'
/// own tables. Each sits between `<!-- generated: NAME -->` and `<!-- end generated -->`; a test
/// compares the page with them (and rewrites it when asked).
enum KeyTables {
    /// `dropout` in [train]: the model's dropout, set for every run (see `Base`).
    static let trainDropout = Setting<TrainingSettings>(
        "dropout", .number(.fraction), doc: "the model's dropout, for every run (write it here or in `[model]`, not both)",
        defaultNote: "the model's", get: { _ in nil }, set: { _, _ in })

    /// The generated blocks by name, each a table's lines.
    static var blocks: [(name: String, lines: [String])] {
        var train = TrainingSettings.documentationTable
        let after = train.firstIndex { $0.hasPrefix("| `label_smoothing`") }.map { $0 + 1 } ?? train.endIndex
        train.insert(TrainingSettings.documentationRow(trainDropout), at: after)
        return [
            ("transformer keys", TransformerConfig.documentationTable),
            ("rnn keys", RNNConfig.documentationTable),
            ("train keys", train),
        ]
    }

    static let end = "<!-- end generated -->"

    /// `page` with every block rewritten from the tables, and the names of the blocks it has no
    /// markers for.
    static func regenerate(_ page: String) -> (text: String, missing: [String]) {
        var lines = page.components(separatedBy: "\n")
        var missing: [String] = []
        for block in blocks {
            let start = "<!-- generated: \(block.name) -->"
            guard let open = lines.firstIndex(of: start),
                  let close = lines[(open + 1)...].firstIndex(of: end) else {
                missing.append(block.name)
                continue
            }
            lines.replaceSubrange((open + 1)..<close, with: block.lines)
        }
        return (lines.joined(separator: "\n"), missing)
    }
}
