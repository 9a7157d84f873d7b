import Foundation
import Runner
import Experiments
import Layers
import Models
import Plots
import Store
import Tasks
import Training

/// A heatmap to draw and the file stem it is written under (`NAME.gp`, `NAME.png`, `NAME.svg`;
/// file-name safe). The heatmap holds plain values only: Plots never sees a tensor or a model.
public struct MatrixFigure: Sendable {
    public var name: String
    /// Row 0 is drawn at the top; `rows[i][j]` is the value at row i (y) and column j (x).
    public var heatmap: Heatmap

    public init(name: String, title: String, xLabel: String, yLabel: String, rows: [[Double]],
                xTicks: [String]? = nil, yTicks: [String]? = nil, range: ClosedRange<Double>? = nil, colourLabel: String = "") {
        self.name = name
        heatmap = Heatmap(title: title, xLabel: xLabel, yLabel: yLabel, rows: rows, xTicks: xTicks, yTicks: yTicks,
                          range: range, colourLabel: colourLabel)
    }
}

/// The attention figures of one trained run on one test example, with the example they show.
public struct AttentionFigures: Sendable {
    /// One figure per (kind, layer, head), in the model's order: encoder layers, then decoder layers
    /// (masked) self before cross; the RNN's single alignment.
    public var figures: [MatrixFigure]
    /// The example's size (its length, distance, pairs, depth or digits, as the task defines it).
    public var size: Int
    /// The task's name for its size ("length", "distance", ...).
    public var sizeName: String
    /// The example's source and target as the task writes its symbols.
    public var source: [String]
    public var target: [String]
}

/// Heatmaps of what a trained model attends to, and of positional encodings, as `MatrixFigure`s.
///
/// Everything here is a pure function of the stored run (its config, seed and final checkpoint) and
/// the arguments: the same call gives the same figures.
public enum MatrixFigures {
    /// A problem a user can fix: a missing checkpoint, an example out of range, an unknown kind.
    public struct Problem: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(_ message: String) { self.message = message }
    }

    // MARK: - Attention

    /// The most positions an attention figure shows on one axis (larger matrices make unreadable
    /// figures and scripts of hundreds of megabytes).
    public static let maximumPositions = 1024

    /// The attention weights of `run`'s final checkpoint on test example number `example` (1-based),
    /// one figure per attention kind, layer and head: query positions on y, key positions on x, each
    /// row a softmax (weights in 0...1, summing to 1). A masked decoder's self-attention is zero above
    /// the diagonal.
    ///
    /// The example: the test split's examples of one size are drawn exactly as the run's final test
    /// evaluation draws them (`TaskSetup.evaluationExamples`, from the run's seed), and example N is
    /// the N-th of them, so examples 1...`test_examples_per_size` are the ones the run was scored on
    /// when the size is in its evaluation range. The size is `size`, or by default the largest
    /// training size the task can generate (what the model was trained on, so the maps show learned
    /// behaviour rather than extrapolation).
    ///
    /// Axes, teacher-forced on the example: self-attention has the tokens at each position on both
    /// axes (the source for the encoder, the decoder's input — start token, then the target shifted
    /// right — for the decoder; an encoder-only model's first position is its `<cls>` token).
    /// Cross-attention and the RNN's alignment have the source on x and, on y, the target token each
    /// decoder step predicts.
    public static func attention(run: RunRecord, store: ResultStore, example: Int, size: Int? = nil) throws -> AttentionFigures {
        guard example >= 1 else { throw Problem("--example counts from 1, got \(example)") }
        guard example <= 100_000 else { throw Problem("--example must be at most 100000, got \(example)") }
        let spec = try runSpec(of: run)
        let model = try StoredRun.finalModel(of: run, store: store)
        let setup = try spec.task.setup()
        let task = setup.task
        try Formatting.check(task, model: model.config)
        let sizeName = type(of: task).sizeName

        let chosen: Int
        if let size {
            guard task.sizeLimits.contains(size), task.canGenerate(size: size) else {
                throw Problem("task \(type(of: task).kind) has no examples of \(sizeName) \(size) (it takes \(task.sizeLimits.lowerBound)...\(task.sizeLimits.upperBound))")
            }
            chosen = size
        } else {
            guard let largest = setup.trainSize.reversed().first(where: { task.canGenerate(size: $0) }) else {
                throw Problem("task \(type(of: task).kind) has no examples in its training range \(setup.trainSize.lowerBound)...\(setup.trainSize.upperBound)")
            }
            chosen = largest
        }
        let drawing = try TaskSetup(task: task, trainSize: setup.trainSize, evaluationSize: chosen...chosen)
        // Example N is drawn after the N - 1 before it: all of them are held at once.
        if let first = try drawing.evaluationExamples(seed: spec.seed, perSize: 1).first {
            let bytes = Double(example) * (256 + 8 * Double(first.source.count + first.target.count))
            try MemoryBudget.check(bytes, for: "drawing \(example) examples of \(sizeName) \(chosen)",
                                   change: "choose a smaller --example or --length")
        }
        guard let drawn = try drawing.evaluationExamples(seed: spec.seed, perSize: example).last else {
            throw Problem("no test example could be drawn")
        }

        let reading = Formatting.reading(of: model.config)
        let batch = Formatting.batch([drawn], task: task, reading: reading)
        let outputs = Formatting.outputTokens(drawn, task: task)
        func text(_ token: Int32) -> String { task.describe(token) }
        let sourceText = drawn.source.map(text)
        let targetText: [String]
        if case .classification = task.output {
            targetText = ["class \(drawn.target[0])"]
        } else {
            targetText = outputs.map(text)
        }
        let decoderInputText = batch.decoderInput.map(text)

        let positions = max(batch.sourceLength + (reading == .classifier ? 1 : 0), batch.targetLength)
        guard positions <= maximumPositions else {
            throw Problem("the example has \(positions) positions: attention figures take at most \(maximumPositions) (choose a smaller --length)")
        }
        let maps: [AttentionMap]
        let encoderText: [String]
        switch model {
        case .transformer(let transformer):
            let config = transformer.config
            try model.checkPositions(sourceLength: drawn.source.count, outputLength: outputs.count,
                                     subject: "the example", hint: "choose a smaller --length")
            maps = transformer.attentionMaps(batch)
            encoderText = config.layout == .encoderOnly ? ["<cls>"] + sourceText : sourceText
        case .rnn(let rnn):
            maps = rnn.attentionMaps(batch)
            encoderText = sourceText
            guard !maps.isEmpty else {
                throw Problem("run \(run.key.prefix(16)) is an RNN without attention (model.attention = \"none\"): it has no alignment to plot")
            }
        }

        let who = "\(run.variant) seed \(run.seed), example \(example)"
        var figures: [MatrixFigure] = []
        for map in maps {
            let isSelf = map.kind.hasSuffix("self")
            let isEncoder = map.kind.hasPrefix("encoder")
            let xTicks: [String], yTicks: [String], xLabel: String, yLabel: String
            if isEncoder {
                (xTicks, yTicks) = (encoderText, encoderText)
                (xLabel, yLabel) = ("key: source token", "query: source token")
            } else if isSelf {
                (xTicks, yTicks) = (decoderInputText, decoderInputText)
                let what = reading == .decoderOnly ? "input token (source, <s>, target)" : "decoder input token"
                (xLabel, yLabel) = ("key: \(what)", "query: \(what)")
            } else {
                (xTicks, yTicks) = (encoderText, targetText)
                (xLabel, yLabel) = ("key: source token", "query: the target token this step predicts")
            }
            guard xTicks.count == map.keyLength, yTicks.count == map.queryLength else {
                throw Problem("internal: \(map.kind) map is \(map.queryLength) x \(map.keyLength) but the example has \(yTicks.count) x \(xTicks.count) tokens")
            }
            let stem = map.kind.replacingOccurrences(of: " ", with: "-")
            for head in 0..<map.heads {
                let rows = (0..<map.queryLength).map { query in
                    (0..<map.keyLength).map { key in
                        Double(map.weights[(head * map.queryLength + query) * map.keyLength + key])
                    }
                }
                let single = map.kind == "alignment"
                let name = single ? stem : "\(stem)-layer-\(map.layer + 1)-head-\(head + 1)"
                let title = single ? "\(map.kind) (\(who))" : "\(map.kind), layer \(map.layer + 1), head \(head + 1) (\(who))"
                figures.append(MatrixFigure(name: name, title: title, xLabel: xLabel, yLabel: yLabel, rows: rows,
                                            xTicks: xTicks, yTicks: yTicks, range: 0...1, colourLabel: "attention weight"))
            }
        }
        return AttentionFigures(figures: figures, size: chosen, sizeName: sizeName, source: sourceText, target: targetText)
    }

    // MARK: - Positional encodings

    /// The positional encoding kinds that have a fixed matrix to draw (today: sinusoidal).
    public static var kindsWithMatrix: [String] {
        PositionalEncodingKind.allCases.filter { positionalMatrix(kind: $0, length: 1, modelSize: 2) != nil }.map(\.rawValue)
    }

    /// The fixed positional encoding `kind` for positions 0..<length of a model of size `modelSize`:
    /// two figures, the encoding itself (`encoding`: positions on y, dimensions on x, values as they
    /// are added to the embeddings) and the cosine similarity between every two positions
    /// (`similarity`: 1 on the diagonal, symmetric, colours fixed to -1...1).
    public static func positional(kind: String, length: Int, modelSize: Int) throws -> [MatrixFigure] {
        let drawable = kindsWithMatrix
        guard let parsed = PositionalEncodingKind(rawValue: kind) else {
            throw Problem("unknown positional encoding \"\(kind)\": the kinds are \(PositionalEncodingKind.allCases.map(\.rawValue).joined(separator: ", ")); those with a matrix to plot: \(drawable.joined(separator: ", "))")
        }
        try checkSizes(length: length, modelSize: modelSize)
        guard let matrix = positionalMatrix(kind: parsed, length: length, modelSize: modelSize) else {
            let why: String
            switch parsed {
            case .none: why = "adds nothing"
            case .learned: why = "is trained: give a run whose model learned its positions with --run"
            case .rope, .alibi: why = "acts inside attention, not on the embeddings"
            case .sinusoidal: why = "has no matrix"
            }
            throw Problem("positional encoding \"\(kind)\" \(why); the kinds with a matrix to plot: \(drawable.joined(separator: ", "))")
        }
        return figures(matrix, length: length, modelSize: modelSize, what: "\(kind) positional encoding", stem: "")
    }

    /// The positional encoding of a stored run's final checkpoint, for positions 0..<length (at most
    /// the model's `max_length` for learned tables): its learned tables (the encoder's and the
    /// decoder's, each as `encoder-`/`decoder-` encoding and similarity figures), or the sinusoidal
    /// table at the model's size. Throws for models without a positional matrix (the RNN, none, rope, alibi).
    public static func positional(run: RunRecord, store: ResultStore, length: Int) throws -> [MatrixFigure] {
        let model = try StoredRun.finalModel(of: run, store: store)
        guard case .transformer(let transformer) = model else {
            throw Problem("run \(run.key.prefix(16)) is an RNN: it has no positional encoding")
        }
        let config = transformer.config
        let who = "\(run.variant) seed \(run.seed)"
        switch config.positional {
        case .learned:
            guard length <= config.maxLength else {
                throw Problem("run \(run.key.prefix(16)) learned \(config.maxLength) positions: give --length \(config.maxLength) or less")
            }
            try checkSizes(length: length, modelSize: config.modelSize)
            var figures: [MatrixFigure] = []
            for side in ["encoder", "decoder"] {
                guard let slice = transformer.parameters.slice(named: "\(side).positions.weight") else { continue }
                let table = Array(UnsafeBufferPointer(start: transformer.parameters.value(slice), count: length * config.modelSize))
                figures += self.figures(table, length: length, modelSize: config.modelSize,
                                        what: "learned \(side) positions (\(who))", stem: "\(side)-")
            }
            return figures
        case .sinusoidal:
            try checkSizes(length: length, modelSize: config.modelSize)
            guard let matrix = positionalMatrix(kind: .sinusoidal, length: length, modelSize: config.modelSize) else { return [] }
            return figures(matrix, length: length, modelSize: config.modelSize, what: "sinusoidal positional encoding (\(who))", stem: "")
        case .none, .rope, .alibi:
            throw Problem("run \(run.key.prefix(16)) uses positional = \"\(config.positional.rawValue)\", which has no matrix to plot (those that do: learned, sinusoidal)")
        }
    }

    private static func checkSizes(length: Int, modelSize: Int) throws {
        guard (1...2048).contains(length) else { throw Problem("--length must be in 1...2048, got \(length)") }
        guard (1...2048).contains(modelSize) else { throw Problem("--d-model must be in 1...2048, got \(modelSize)") }
    }

    /// The encoding and similarity figures of a (length, modelSize) table.
    private static func figures(_ matrix: [Float], length: Int, modelSize: Int, what: String, stem: String) -> [MatrixFigure] {
        let encoding = (0..<length).map { t in (0..<modelSize).map { Double(matrix[t * modelSize + $0]) } }
        let similarity = positionSimilarity(matrix, length: length, modelSize: modelSize)
        let similarityRows = (0..<length).map { s in (0..<length).map { Double(similarity[s * length + $0]) } }
        return [
            MatrixFigure(name: "\(stem)encoding", title: "\(what): \(length) positions x \(modelSize) dimensions",
                         xLabel: "dimension", yLabel: "position", rows: encoding, colourLabel: "value"),
            MatrixFigure(name: "\(stem)similarity", title: "\(what): cosine similarity between positions",
                         xLabel: "position", yLabel: "position", rows: similarityRows, range: -1...1,
                         colourLabel: "cosine similarity"),
        ]
    }

    // MARK: - Loading

    private static func runSpec(of run: RunRecord) throws -> RunSpec {
        try StoredRun.spec(of: run)
    }

    // MARK: - Where figures go

    /// The default folder of `ablate plot attention`: `plots/STEM/attention-KEY16-example-N`, with the
    /// experiment's stem (`FileNames.stem(_:)`, as for its report's figures).
    public static func attentionDirectory(for run: RunRecord, example: Int) -> String {
        "plots/\(FileNames.stem(run.experiment))/" + FileNames.stem("attention-\(run.key.prefix(16))-example-\(example)")
    }

    /// The default folder of `ablate plot positional`: `plots/positional-KIND`, or
    /// `plots/STEM/positional-KEY16` for a run's encoding.
    public static func positionalDirectory(kind: String?, run: RunRecord?) -> String {
        if let run { return "plots/\(FileNames.stem(run.experiment))/" + FileNames.stem("positional-\(run.key.prefix(16))") }
        return "plots/" + FileNames.stem("positional-\(kind ?? "unnamed")")
    }

    /// Throws unless gnuplot (or the program named by `ABLATE_GNUPLOT`) can be started, so a command
    /// can refuse before it writes anything.
    public static func checkGnuplot() throws {
        let program = ProcessInfo.processInfo.environment["ABLATE_GNUPLOT"] ?? "gnuplot"
        guard SystemInfo.output(of: "/usr/bin/env", [program, "--version"]) != nil else {
            throw Problem("gnuplot could not be started (\(program) --version failed): install gnuplot (e.g. apt-get install gnuplot-nox)")
        }
    }
}
