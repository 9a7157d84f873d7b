import Tensors

extension Model {
    /// The buffers of one model family, for batches up to a size fixed when it is made.
    public final class Workspace {
        let transformer: Transformer.Workspace?
        let rnn: RNNSeq2Seq.Workspace?

        init(transformer: Transformer.Workspace? = nil, rnn: RNNSeq2Seq.Workspace? = nil) {
            self.transformer = transformer
            self.rnn = rnn
        }
    }

    /// A workspace for batches of up to `maxBatch` examples with sequences up to the given lengths.
    public func makeWorkspace(maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int) -> Workspace {
        switch self {
        case .transformer(let model):
            return Workspace(transformer: model.makeWorkspace(maxBatch: maxBatch, maxSourceLength: maxSourceLength,
                                                              maxTargetLength: maxTargetLength))
        case .rnn(let model):
            return Workspace(rnn: model.makeWorkspace(maxBatch: maxBatch, maxSourceLength: maxSourceLength,
                                                      maxTargetLength: maxTargetLength))
        }
    }

    /// The model's reusable workspace (evaluation, decoding): see `Transformer.reusableWorkspace`.
    public func reusableWorkspace(maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int) -> Workspace {
        switch self {
        case .transformer(let model):
            return Workspace(transformer: model.reusableWorkspace(maxBatch: maxBatch, maxSourceLength: maxSourceLength,
                                                                  maxTargetLength: maxTargetLength))
        case .rnn(let model):
            return Workspace(rnn: model.reusableWorkspace(maxBatch: maxBatch, maxSourceLength: maxSourceLength,
                                                          maxTargetLength: maxTargetLength))
        }
    }

    /// The forward pass and the loss (teacher forcing); dropout only with an `rng`.
    public func forward(_ batch: SequenceBatch, workspace: Workspace, labelSmoothing: Float = 0, rng: inout RNG?) -> LossResult {
        switch self {
        case .transformer(let model):
            return model.forward(batch, workspace: workspace.transformer!, labelSmoothing: labelSmoothing, rng: &rng)
        case .rnn(let model):
            return model.forward(batch, workspace: workspace.rnn!, labelSmoothing: labelSmoothing, rng: &rng)
        }
    }

    /// Accumulates the gradients of the last `forward` on `workspace` into `parameters.gradients`.
    public func backward(workspace: Workspace) {
        switch self {
        case .transformer(let model): model.backward(workspace: workspace.transformer!)
        case .rnn(let model): model.backward(workspace: workspace.rnn!)
        }
    }

    /// Greedy decoding of `steps` tokens for sources of one length (B sources, each `sources[b]`).
    /// An encoder-decoder or RNN starts its decoder from `startToken`; a decoder-only model reads
    /// source + `startToken`. An encoder-only model returns its class per source (one "token").
    public func decode(sources: [[Int32]], steps: Int) -> [[Int32]] {
        let B = sources.count
        guard B > 0 else { return [] }
        let length = sources[0].count
        precondition(sources.allSatisfy { $0.count == length }, "decode: sources must share one length")
        let flat = sources.flatMap { $0 }
        let lengths = [Int32](repeating: Int32(length), count: B)
        func split(_ tokens: [Int32], _ width: Int) -> [[Int32]] { (0..<B).map { Array(tokens[$0 * width..<($0 + 1) * width]) } }
        switch self {
        case .transformer(let model):
            switch model.config.layout {
            case .encoderOnly:
                return model.classify(source: flat, sourceLength: length, sourceLengths: lengths, batch: B).classes.map { [$0] }
            case .decoderOnly:
                let prefix = sources.flatMap { $0 + [Model.startToken] }
                let decoding = model.greedyDecode(source: [], sourceLength: 0, sourceLengths: [], prefix: prefix,
                                                  prefixLength: length + 1, batch: B, steps: steps)
                return split(decoding.tokens, steps)
            case .encoderDecoder:
                let decoding = model.greedyDecode(source: flat, sourceLength: length, sourceLengths: lengths,
                                                  prefix: [Int32](repeating: Model.startToken, count: B), prefixLength: 1,
                                                  batch: B, steps: steps)
                return split(decoding.tokens, steps)
            }
        case .rnn(let model):
            let decoding = model.greedyDecode(source: flat, sourceLength: length, sourceLengths: lengths,
                                              startToken: Model.startToken, batch: B, steps: steps)
            return split(decoding.tokens, steps)
        }
    }
}
