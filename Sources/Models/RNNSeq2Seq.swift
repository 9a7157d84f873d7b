import Layers
import Settings
import Tensors

/// The RNN baseline built from an `RNNConfig`: an encoder-decoder of GRU or LSTM layers with Bahdanau
/// (additive) or Luong (dot, general) attention, or none (the plain seq2seq of Sutskever et al. 2014).
/// Parameters live in one `ParameterSet`; activations in an `RNNSeq2Seq.Workspace` sized once.
///
/// Sizes: V vocabulary, E embedding, H hidden, L layers, He = H (2H bidirectional) the width of the
/// encoder outputs, D the width of an output row.
///
///     encoder:  x^0 = dropout(embed_src(source)),  x^l = dropout(o^{l-1})
///               o^l = GRU/LSTM^l(x^l)                          (B, Ts, He): [forward; backward] when bidirectional
///               keys K = o^{L-1}; row b has sourceLengths[b] real steps (the reverse direction starts at its last one)
///     start:    s_{-1}^l = h_final^l, c_{-1}^l = c_final^l                         unidirectional
///               s_{-1}^l = tanh(bridge^l([h_fwd_final^l; h_bwd_final^l])), c_{-1}^l = 0    bidirectional
///     step t:   c_t = attention(s_{t-1}^{L-1}, K)              keys past a row's source length get weight 0
///               s_t^0 = RNN^0([dropout(embed_tgt(y_{t-1})); c_t], s_{t-1}^0)
///               s_t^l = RNN^l(dropout(s_t^{l-1}), s_{t-1}^l)   l = 1..<L
///               logits_t = output([s_t^{L-1}; c_t])            (D = H + He)
///     none:     s_t^0 = RNN^0(dropout(embed_tgt(y_{t-1})), s_{t-1}^0), logits_t = output(s_t^{L-1})   (D = H)
///
/// With (gru, additive, E 64, H 128, A 128, V 20, one unidirectional layer) this is W3 of
/// docs/performance.md, 238,740 parameters. Dropout (training only) is applied to both embeddings and to the
/// input of every stacked layer above the first, in the encoder and the decoder; never to the keys or
/// the output rows.
///
/// Parameter names (checkpoint keys), in this order:
///
///     encoder.embedding.weight                   (V, E)     normal(0, 1), as PyTorch's nn.Embedding
///     encoder.layers.N.{weight_ih, weight_hh, bias_ih, bias_hh}          unidirectional
///     encoder.layers.N.{forward, backward}.{weight_ih, ...}              bidirectional
///     decoder.embedding.weight                   (V, E)
///     decoder.bridge.N.{weight, bias}            (H, 2H), (H)         bidirectional only
///     decoder.attention.{W, U, v} (additive) | decoder.attention.W (general) | nothing (dot, none)
///     decoder.layers.N.{weight_ih, weight_hh, bias_ih, bias_hh}
///     output.{weight, bias}                      (V, D), (V)
public final class RNNSeq2Seq: @unchecked Sendable {
    /// See `reusableWorkspace`.
    private let reused = ReusedWorkspace<Workspace>()
    public let config: RNNConfig
    public let parameters: ParameterSet
    let sourceEmbedding: Embedding
    /// [layer][direction]: direction 0 reads left to right, direction 1 (bidirectional) right to left.
    let encoder: [[RecurrentLayer]]
    let targetEmbedding: Embedding
    /// One Linear(2H -> H) per layer for a bidirectional encoder; empty otherwise.
    let bridges: [Linear]
    /// Nil for attention `none`.
    let attention: (any RecurrentAttention)?
    let decoder: [RecurrentLayer]
    let output: Linear

    /// 1, or 2 for a bidirectional encoder.
    var directions: Int { config.bidirectional ? 2 : 1 }
    /// He: the width of the encoder outputs (the attention keys).
    var encoderOutputSize: Int { directions * config.hidden }
    /// I0: the input of the first decoder layer, [embedding; context].
    var decoderInputSize: Int { config.embeddingSize + (attention == nil ? 0 : encoderOutputSize) }
    /// D: the width of the rows the output layer reads, [s_t; c_t].
    var outputRowSize: Int { config.hidden + (attention == nil ? 0 : encoderOutputSize) }

    /// The layers of a config and the parameters they declare, before any value is allocated.
    private struct Parts {
        var layout: ParameterLayout
        var sourceEmbedding: Embedding, targetEmbedding: Embedding
        var encoder: [[RecurrentLayer]] = []
        var bridges: [Linear]
        var attention: (any RecurrentAttention)?
        var decoder: [RecurrentLayer]
        var output: Linear

        init(_ config: RNNConfig) {
            var layout = ParameterLayout()
            let V = config.vocabulary, E = config.embeddingSize, H = config.hidden, L = config.layers
            let He = (config.bidirectional ? 2 : 1) * H
            sourceEmbedding = Embedding("encoder.embedding", vocabularySize: V, modelSize: E, layout: &layout)
            for l in 0..<L {
                let inputSize = l == 0 ? E : He
                let names = config.bidirectional
                    ? ["encoder.layers.\(l).forward", "encoder.layers.\(l).backward"] : ["encoder.layers.\(l)"]
                encoder.append(names.map {
                    RecurrentLayer(config.cell.recurrentCell, $0, inputSize: inputSize, hiddenSize: H, layout: &layout)
                })
            }
            targetEmbedding = Embedding("decoder.embedding", vocabularySize: V, modelSize: E, layout: &layout)
            bridges = config.bidirectional
                ? (0..<L).map { Linear("decoder.bridge.\($0)", inputSize: 2 * H, outputSize: H, bias: true, layout: &layout) } : []
            attention = RecurrentAttentionKind(rawValue: config.attention.rawValue)?
                .makeAttention("decoder.attention", stateSize: H, keySize: He, attentionSize: config.attentionSize, layout: &layout)
            let contextSize = attention == nil ? 0 : He
            decoder = (0..<L).map {
                RecurrentLayer(config.cell.recurrentCell, "decoder.layers.\($0)", inputSize: $0 == 0 ? E + contextSize : H,
                               hiddenSize: H, layout: &layout)
            }
            output = Linear("output", inputSize: H + contextSize, outputSize: V, bias: true, layout: &layout)
            self.layout = layout
        }
    }

    /// The parameters (names and shapes) a model of `config` has, without allocating them: what a
    /// checkpoint must hold. Throws `SettingError` as `init` does.
    public static func parameterLayout(_ config: RNNConfig) throws -> ParameterLayout {
        try config.validate()
        return Parts(config).layout
    }

    /// Builds the model and initialises its parameters from `RNG(seed, .initialization)`.
    /// Throws `SettingError` for an invalid config.
    public convenience init(config: RNNConfig, seed: UInt64) throws {
        try config.validate()
        self.init(validated: config, seed: seed)
    }

    /// Builds a model of a config that `validate()` accepted (a checkpoint's, checked by its
    /// parameter layout): the one validation of a load.
    init(validated config: RNNConfig, seed: UInt64) {
        self.config = config
        let parts = Parts(config)
        sourceEmbedding = parts.sourceEmbedding
        encoder = parts.encoder
        targetEmbedding = parts.targetEmbedding
        bridges = parts.bridges
        attention = parts.attention
        decoder = parts.decoder
        output = parts.output
        parameters = ParameterSet(parts.layout)

        var rng = RNG(seed: seed, purpose: .initialization)
        for embedding in [sourceEmbedding, targetEmbedding] {
            rng.fillNormal(parameters.value(embedding.weight), count: embedding.weight.count, mean: 0, standardDeviation: 1)
        }
        for layer in encoder.joined() { layer.initialize(parameters, rng: &rng) }
        for bridge in bridges { bridge.initialize(parameters, rng: &rng) }
        attention?.initialize(parameters, rng: &rng)
        for layer in decoder { layer.initialize(parameters, rng: &rng) }
        output.initialize(parameters, rng: &rng)
    }

    /// The number of trainable parameters.
    public var parameterCount: Int { parameters.count }

    /// Every buffer a forward and backward pass needs, for batches up to the sizes given. Encoder
    /// buffers are batch-major (B, Ts, *); decoder buffers are time-major (Tt, B, *), one step's rows
    /// contiguous, except the output rows and logits, (B, Tt, *) like the targets.
    public final class Workspace {
        public let maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int
        let hidden: Int
        let sourceTokens: UnsafeMutablePointer<Int32>
        let sourceLengths: UnsafeMutablePointer<Int32>
        /// (B, Ts, E): embed(source), after dropout when training; sourceMask is its dropout mask.
        let sourceEmbedded: Tensor, sourceMask: Tensor
        /// [l] (B, Ts, He) for l >= 1: dropout(o^{l-1}) and its mask; [0] is empty.
        let encoderInputs: [Tensor], encoderMasks: [Tensor]
        /// [l] (B, Ts, He): o^l.
        let encoderOutputs: [Tensor]
        /// [l][d] (B, Ts, H): one direction's outputs; the tensor of `encoderOutputs[l]` when unidirectional.
        let directionOutputs: [[Tensor]]
        let encoderActivations: [[RecurrentActivations]]
        /// [l][d] (B, H): the state after the last real step (final cells: LSTM only, else empty).
        let finalStates: [[Tensor]], finalCells: [[Tensor]]
        /// [l] (B, 2H): [h_fwd_final; h_bwd_final], bidirectional only.
        let bridgeInputs: [Tensor]
        let decoderTokens: UnsafeMutablePointer<Int32>
        let targetBuffer: UnsafeMutablePointer<Int32>
        /// (B, Tt, E): embed(decoderInput), after dropout when training.
        let targetEmbedded: Tensor, targetMask: Tensor
        /// [0] (Tt, B, I0): [embedding; context]; [l >= 1] (Tt, B, H): dropout(s^{l-1}), with masks.
        let decoderInputs: [Tensor], decoderMasks: [Tensor]
        /// [l] (Tt+1, B, H): slot 0 is s_{-1}^l, slot t+1 is s_t^l (cells: LSTM only, else empty).
        let decoderStates: [Tensor], decoderCells: [Tensor]
        let decoderActivations: [RecurrentActivations]
        let attentionActivations: RecurrentAttentionActivations?
        /// (Tt, B, Ts): the attention weights of every step.
        let attentionWeights: Tensor
        /// (Tt, B, He): c_t.
        let contexts: Tensor
        /// (B, Tt, D): [s_t^{L-1}; c_t], the output layer's input.
        let outputRows: Tensor
        /// (B, Tt, V): the logits of the last forward pass.
        public let logits: Tensor
        let probabilities: Tensor, losses: Tensor
        // Backward scratch.
        let logitsGradient: Tensor, outputRowsGradient: Tensor
        /// [l] (B, H): d loss / d s^l (and c^l) at the step being differentiated.
        let stateGradients: [Tensor], cellGradients: [Tensor]
        let previousStateGradient: Tensor, previousCellGradient: Tensor
        /// (B, max(I0, H)), (B, He), (B, Tt, E)
        let inputGradient: Tensor, contextGradient: Tensor, targetEmbeddedGradient: Tensor
        /// (B, Ts, He): d loss / d o^l of the encoder layer being differentiated (the keys' first).
        let encoderOutputGradient: Tensor
        /// (B, Ts, max(E, He)), [d] (B, Ts, H)
        let encoderInputGradient: Tensor, directionOutputGradients: [Tensor]
        /// (B, H), (B, 2H), [d] (B, H)
        let bridgeGradient: Tensor, bridgeInputGradient: Tensor, finalStateGradients: [Tensor]
        /// The dropout probability of the last forward pass (0 in evaluation) and whether it ran.
        var dropout: Float = 0
        var dropoutUsed: Bool { dropout > 0 }
        var labelSmoothing: Float = 0
        var counted = 0
        /// The shape of the last forward pass.
        var batch = 0, sourceLength = 0, targetLength = 0

        init(model: RNNSeq2Seq, maxBatch B: Int, maxSourceLength Ts: Int, maxTargetLength Tt: Int) {
            precondition(B >= 0 && Ts >= 0 && Tt >= 0, "RNNSeq2Seq.Workspace: sizes must be non-negative")
            maxBatch = B
            maxSourceLength = Ts
            maxTargetLength = Tt
            let config = model.config
            let E = config.embeddingSize, H = config.hidden, L = config.layers, V = config.vocabulary
            let He = model.encoderOutputSize, I0 = model.decoderInputSize, D = model.outputRowSize
            let lstm = config.cell == .lstm, directions = model.directions
            hidden = H
            sourceTokens = .allocate(capacity: max(B * Ts, 1))
            sourceLengths = .allocate(capacity: max(B, 1))
            sourceEmbedded = Tensor(shape: [B, Ts, E])
            sourceMask = Tensor(shape: [B, Ts, E])
            encoderInputs = (0..<L).map { Tensor(shape: [$0 == 0 ? 0 : B, Ts, He]) }
            encoderMasks = (0..<L).map { Tensor(shape: [$0 == 0 ? 0 : B, Ts, He]) }
            let outputs = (0..<L).map { _ in Tensor(shape: [B, Ts, He]) }
            encoderOutputs = outputs
            directionOutputs = outputs.map { directions == 1 ? [$0] : [Tensor(shape: [B, Ts, H]), Tensor(shape: [B, Ts, H])] }
            encoderActivations = model.encoder.map { $0.map { $0.makeActivations(maxBatch: B, maxLength: Ts) } }
            finalStates = (0..<L).map { _ in (0..<directions).map { _ in Tensor(shape: [B, H]) } }
            finalCells = lstm ? (0..<L).map { _ in (0..<directions).map { _ in Tensor(shape: [B, H]) } } : []
            bridgeInputs = model.bridges.map { _ in Tensor(shape: [B, 2 * H]) }
            decoderTokens = .allocate(capacity: max(B * Tt, 1))
            targetBuffer = .allocate(capacity: max(B * Tt, 1))
            targetEmbedded = Tensor(shape: [B, Tt, E])
            targetMask = Tensor(shape: [B, Tt, E])
            decoderInputs = (0..<L).map { Tensor(shape: [Tt, B, $0 == 0 ? I0 : H]) }
            decoderMasks = (0..<L).map { Tensor(shape: [$0 == 0 ? 0 : Tt, B, H]) }
            decoderStates = (0..<L).map { _ in Tensor(shape: [Tt + 1, B, H]) }
            decoderCells = lstm ? (0..<L).map { _ in Tensor(shape: [Tt + 1, B, H]) } : []
            decoderActivations = model.decoder.map { $0.makeActivations(maxBatch: B, maxLength: Tt) }
            attentionActivations = model.attention?.makeActivations(maxBatch: B, maxKeyLength: Ts, maxSteps: Tt)
            attentionWeights = Tensor(shape: [Tt, B, model.attention == nil ? 0 : Ts])
            contexts = Tensor(shape: [Tt, B, model.attention == nil ? 0 : He])
            outputRows = Tensor(shape: [B, Tt, D])
            logits = Tensor(shape: [B, Tt, V])
            probabilities = Tensor(shape: [B, Tt, V])
            losses = Tensor(shape: [B, Tt])
            logitsGradient = Tensor(shape: [B, Tt, V])
            outputRowsGradient = Tensor(shape: [B, Tt, D])
            stateGradients = (0..<L).map { _ in Tensor(shape: [B, H]) }
            cellGradients = lstm ? (0..<L).map { _ in Tensor(shape: [B, H]) } : []
            previousStateGradient = Tensor(shape: [B, H])
            previousCellGradient = Tensor(shape: [B, H])
            inputGradient = Tensor(shape: [B, max(I0, H)])
            contextGradient = Tensor(shape: [B, He])
            targetEmbeddedGradient = Tensor(shape: [B, Tt, E])
            encoderOutputGradient = Tensor(shape: [B, Ts, He])
            encoderInputGradient = Tensor(shape: [B, Ts, max(E, He)])
            directionOutputGradients = directions == 1 ? [] : [Tensor(shape: [B, Ts, H]), Tensor(shape: [B, Ts, H])]
            bridgeGradient = Tensor(shape: [B, H])
            bridgeInputGradient = Tensor(shape: [B, 2 * H])
            finalStateGradients = directions == 1 ? [] : [Tensor(shape: [B, H]), Tensor(shape: [B, H])]
        }

        deinit {
            sourceTokens.deallocate()
            sourceLengths.deallocate()
            decoderTokens.deallocate()
            targetBuffer.deallocate()
        }

        /// s^l in slot `slot` (0 = s_{-1}, t + 1 = s_t), (B, H) for the current batch.
        func state(_ l: Int, slot: Int) -> UnsafeMutablePointer<Float> { decoderStates[l].data + slot * batch * hidden }

        /// c^l in slot `slot` for an LSTM, nil for a GRU.
        func cell(_ l: Int, slot: Int) -> UnsafeMutablePointer<Float>? {
            decoderCells.isEmpty ? nil : decoderCells[l].data + slot * batch * hidden
        }

        /// The final cell of encoder layer l, direction d, for an LSTM; nil for a GRU.
        func finalCell(_ l: Int, _ d: Int) -> UnsafeMutablePointer<Float>? { finalCells.isEmpty ? nil : finalCells[l][d].data }

        /// d loss / d c^l for an LSTM, nil for a GRU.
        func cellGradient(_ l: Int) -> UnsafeMutablePointer<Float>? { cellGradients.isEmpty ? nil : cellGradients[l].data }
    }

    /// A workspace for batches of up to `maxBatch` examples with sequences up to the given lengths.
    public func makeWorkspace(maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int) -> Workspace {
        Workspace(model: self, maxBatch: maxBatch, maxSourceLength: maxSourceLength, maxTargetLength: maxTargetLength)
    }

    /// The workspace that evaluation and decoding reuse from call to call (see `Transformer.reusableWorkspace`).
    public func reusableWorkspace(maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int) -> Workspace {
        reused.fitting(maxBatch: maxBatch, maxSourceLength: maxSourceLength, maxTargetLength: maxTargetLength) {
            makeWorkspace(maxBatch: $0, maxSourceLength: $1, maxTargetLength: $2)
        }
    }
}

extension RNNConfig.Cell {
    /// The cell the shared recurrent driver runs (see Layers' Recurrent.swift, GRU.swift and LSTM.swift).
    var recurrentCell: any RecurrentCell.Type {
        switch self {
        case .gru: GRU.self
        case .lstm: LSTM.self
        }
    }
}
