import Settings

// The settings of training: the keys of an experiment file's [train] table, of the stored config's
// "train" object, and of the documentation's table (docs/experiment-file.md is generated from this
// list). The experiment-file loader and `Trainer.validate` check values through it.

extension TrainingSettings {
    /// The most steps (and warm-up, eval and checkpoint intervals) a run takes.
    static let stepLimit = 0...100_000_000

    public static let settings: [Setting<TrainingSettings>] = [
        .integer("steps", stepLimit, \.steps, doc: "optimizer steps"),
        .integer("batch", 1...65_536, \.batch, doc: "examples per step"),
        .choice("optimizer", \.optimizer, notes: ["adamw": "decoupled weight decay", "sgd": "with `momentum`"]),
        .number("lr", aliases: ["learning_rate"], NumberRange(lower: 0, upper: 10), \.learningRate,
                doc: "the peak learning rate; give one of the two names"),
        .choice("schedule", \.schedule, doc: "the learning rate over the steps",
                notes: ["warmup": "linear warm-up, then constant", "inverse_sqrt": "warm-up, then 1/sqrt(step): the paper's shape",
                        "cosine": "warm-up, then cosine decay to 0 at `steps`"]),
        .integer("warmup", stepLimit, \.warmup, doc: "warm-up steps"),
        .number("beta1", .fraction, \.beta1, doc: "Adam's first-moment decay"),
        .number("beta2", .fraction, \.beta2, doc: "Adam's second-moment decay"),
        .number("momentum", .fraction, \.momentum, doc: "SGD's momentum"),
        .number("weight_decay", .nonNegative, \.weightDecay, doc: "L2 penalty (Adam, SGD) or decoupled decay (AdamW)"),
        .numberOrOff("clip_norm", .positive, \.clipNorm, doc: "the largest global gradient norm; `false`: no clipping"),
        .number("label_smoothing", .fraction, \.labelSmoothing, doc: "the mass of the target distribution spread evenly over all tokens, the target included (as PyTorch)"),
        .integer("eval_every", 1...stepLimit.upperBound, \.evalEvery, doc: "validation every this many steps, and at the end"),
        .integer("validation_examples", 1...1_000_000, \.validationExamples, doc: "examples drawn once from the validation split at the training sizes"),
        .integer("test_examples_per_size", 1...1_000_000, \.testExamplesPerSize, doc: "test examples at each evaluation size, at the end"),
        .numberOrOff("stop_at_accuracy", NumberRange(lower: 0, lowerOpen: true, upper: 1), \.stopAtAccuracy,
                     doc: "stop once validation exact match reaches it (the steps to it are recorded)"),
        .numberOrOff("time_budget_seconds", .positive, \.timeBudgetSeconds, doc: "stop training after this many seconds"),
        .integerOrOff("checkpoint_every", 1...stepLimit.upperBound, \.checkpointEvery,
                      doc: "also save the model every this many steps (the final model is always saved); when set it is part of the run's config, and so of its key"),
    ]
}

/// `{"lr": 0.001, "eval_every": 100, "clip_norm": false, ...}`: the settings' keys; a key no setting
/// has, or a value of the wrong type, throws a `SettingError` for `train.KEY`.
extension TrainingSettings: SettingsCodable {
    public static let settingsPrefix = "train"
}
