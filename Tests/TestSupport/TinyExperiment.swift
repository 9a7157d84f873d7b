/// Tiny experiment files for the tests that load or run one (a few seconds of training at most).
public enum TinyExperiment {
    /// 2 configurations (the baseline and `no-positional`) x 2 seeds of a tiny Transformer on reversal.
    public static func text(name: String = "tiny", question: String = "Does a tiny Transformer reverse without positions?", steps: Int = 30,
                            evalEvery: Int = 10, variantName: String = "no-positional", variantPositional: String = "none") -> String {
        """
        [experiment]
        name = "\(name)"
        question = "\(question)"
        seeds = [1, 2]

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

        [train]
        steps = \(steps)
        batch = 8
        lr = 3e-3
        schedule = "warmup"
        warmup = 5
        eval_every = \(evalEvery)
        validation_examples = 16
        test_examples_per_size = 4

        [[variant]]
        name = "\(variantName)"
        model.positional = "\(variantPositional)"

        """
    }
}
