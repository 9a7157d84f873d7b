/// Tiny experiment files for the tests that load or run one (a few seconds of training at most): a
/// one-layer Transformer of width 8 on reversal of 2-4 symbols out of 4, tested up to length 5.
public enum TinyExperiment {
    /// The file: `[experiment]` with `name` (TOML-quoted as given), `question` and `seeds`, the task,
    /// the model with `modelLines` added, `[train]` with `trainLines`, then `rest` (variants, a grid).
    public static func file(name: String, question: String, seeds: [Int], modelLines: [String] = [], trainLines: [String],
                            rest: String = "") -> String {
        """
        [experiment]
        name = "\(name)"
        question = "\(question)"
        seeds = [\(seeds.map(String.init).joined(separator: ", "))]

        [task]
        kind = "reverse"
        symbols = 4
        train_length = [2, 4]
        eval_length = [2, 5]

        [model]
        arch = "transformer"
        d_model = 8
        heads = 2
        layers = 1
        d_ff = 8
        \((modelLines.map { $0 + "\n" }).joined())
        [train]
        \(trainLines.joined(separator: "\n"))

        \(rest)
        """
    }

    /// 2 configurations (the baseline and `no-positional`) x 2 seeds.
    public static func text(name: String = "tiny", question: String = "Does a tiny Transformer reverse without positions?", steps: Int = 30,
                            evalEvery: Int = 10, variantName: String = "no-positional", variantPositional: String = "none") -> String {
        file(name: name, question: question, seeds: [1, 2],
             trainLines: ["steps = \(steps)", "batch = 8", "lr = 3e-3", "schedule = \"warmup\"", "warmup = 5", "eval_every = \(evalEvery)",
                          "validation_examples = 16", "test_examples_per_size = 4"],
             rest: """
                 [[variant]]
                 name = "\(variantName)"
                 model.positional = "\(variantPositional)"

                 """)
    }
}
