import Layers
import Settings
import Tensors

/// A Transformer built from a `TransformerConfig`: encoder-decoder (the paper), decoder-only, or
/// encoder-only with a classification token. Parameters live in one `ParameterSet`; activations in a
/// `Transformer.Workspace` sized once for the largest batch.
///
///     encoder-decoder:  memory = Encoder(embed(source)); logits = Decoder(embed(decoderInput), memory)
///     decoder-only:     logits = Decoder(embed(decoderInput))            (self-attention only)
///     encoder-only:     h = Encoder(embed([CLS] + source)); logits = classifier(h[CLS])
public final class Transformer: @unchecked Sendable {
    /// See `reusableWorkspace`.
    private let reused = ReusedWorkspace<Workspace>()
    public let config: TransformerConfig
    public let parameters: ParameterSet
    let sourceInput: TokenInput?
    let targetInput: TokenInput?
    let encoder: [TransformerBlock]
    let decoder: [TransformerBlock]
    let encoderNorm: LayerNorm?
    let decoderNorm: LayerNorm?
    let output: Linear?
    let classifier: Linear?

    /// The id of the classification token the encoder-only layout prepends: one past the vocabulary.
    public var classToken: Int32 { Int32(config.vocabulary) }

    /// The layers of a config and the parameters they declare, before any value is allocated.
    private struct Parts {
        var layout: ParameterLayout
        var sourceInput: TokenInput?, targetInput: TokenInput?
        var encoder: [TransformerBlock] = [], decoder: [TransformerBlock] = []
        var encoderNorm: LayerNorm?, decoderNorm: LayerNorm?
        var output: Linear?, classifier: Linear?

        init(_ config: TransformerConfig) {
            var layout = ParameterLayout()
            let C = config.modelSize, V = config.vocabulary
            let hasEncoder = config.layout != .decoderOnly
            let hasDecoder = config.layout != .encoderOnly
            sourceInput = hasEncoder
                ? TokenInput("encoder", vocabulary: config.layout == .encoderOnly ? V + 1 : V, config: config, layout: &layout) : nil
            encoder = hasEncoder ? (0..<config.encoderLayers).map {
                TransformerBlock("encoder.layers.\($0)", config: config, causal: false, cross: false, layout: &layout)
            } : []
            encoderNorm = hasEncoder && config.norm == .pre ? LayerNorm("encoder.final_norm", size: C, layout: &layout) : nil
            targetInput = hasDecoder ? TokenInput("decoder", vocabulary: V, config: config, layout: &layout) : nil
            decoder = hasDecoder ? (0..<config.decoderLayers).map {
                TransformerBlock("decoder.layers.\($0)", config: config, causal: config.causalMask,
                                 cross: config.layout == .encoderDecoder, layout: &layout)
            } : []
            decoderNorm = hasDecoder && config.norm == .pre ? LayerNorm("decoder.final_norm", size: C, layout: &layout) : nil
            output = hasDecoder && !config.tiedEmbeddings
                ? Linear("output", inputSize: C, outputSize: V, bias: config.bias, layout: &layout) : nil
            classifier = config.layout == .encoderOnly
                ? Linear("classifier", inputSize: C, outputSize: config.classes, bias: true, layout: &layout) : nil
            self.layout = layout
        }
    }

    /// The parameters (names and shapes) a model of `config` has, without allocating them: what a
    /// checkpoint must hold. Throws `SettingError` as `init` does.
    public static func parameterLayout(_ config: TransformerConfig) throws -> ParameterLayout {
        try config.validate()
        return Parts(config).layout
    }

    /// Builds the model and initialises its parameters from `RNG(seed, .initialization)`.
    public convenience init(config: TransformerConfig, seed: UInt64) throws {
        try config.validate()
        self.init(validated: config, seed: seed)
    }

    /// Builds a model of a config that `validate()` accepted (a checkpoint's, checked by its
    /// parameter layout): the one validation of a load.
    init(validated config: TransformerConfig, seed: UInt64) {
        self.config = config
        let parts = Parts(config)
        sourceInput = parts.sourceInput
        encoder = parts.encoder
        encoderNorm = parts.encoderNorm
        targetInput = parts.targetInput
        decoder = parts.decoder
        decoderNorm = parts.decoderNorm
        output = parts.output
        classifier = parts.classifier
        parameters = ParameterSet(parts.layout)

        var rng = RNG(seed: seed, purpose: .initialization)
        sourceInput?.initialize(parameters, rng: &rng)
        for block in encoder { block.initialize(parameters, rng: &rng) }
        encoderNorm?.initialize(parameters)
        targetInput?.initialize(parameters, rng: &rng)
        for block in decoder { block.initialize(parameters, rng: &rng) }
        decoderNorm?.initialize(parameters)
        output?.initializeXavier(parameters, rng: &rng)
        classifier?.initializeXavier(parameters, rng: &rng)
    }

    /// The number of trainable parameters.
    public var parameterCount: Int { parameters.count }

    /// The width of the output: the vocabulary, or the classes of the classifier.
    var outputSize: Int { config.layout == .encoderOnly ? config.classes : config.vocabulary }

    /// Every buffer a forward and backward pass needs, for batches up to the sizes given.
    public final class Workspace {
        public let maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int
        /// Encoder sequence length: the source, plus the CLS token for encoder-only.
        let maxEncoderLength: Int
        let encoderTokens: UnsafeMutablePointer<Int32>
        let encoderLengths: UnsafeMutablePointer<Int32>
        let sourceLengths: UnsafeMutablePointer<Int32>
        let decoderTokens: UnsafeMutablePointer<Int32>
        let decoderLengths: UnsafeMutablePointer<Int32>
        let sourceEmbedded: Tensor, sourceMask: Tensor
        let encoderActivations: [TransformerBlock.Activations]
        let encoderNormed: Tensor
        let encoderNormActivations: LayerNorm.Activations?
        let targetEmbedded: Tensor, targetMask: Tensor
        let decoderActivations: [TransformerBlock.Activations]
        let decoderNormed: Tensor
        let decoderNormActivations: LayerNorm.Activations?
        /// (B, C): the CLS rows for the classifier.
        let classRows: Tensor
        public let logits: Tensor
        let probabilities: Tensor, losses: Tensor
        let targetBuffer: UnsafeMutablePointer<Int32>
        let logitsGradient: Tensor, stackGradientA: Tensor, stackGradientB: Tensor, memoryGradient: Tensor, classRowsGradient: Tensor
        var sourceDropoutUsed = false, targetDropoutUsed = false
        var labelSmoothing: Float = 0
        var counted = 0
        /// The shape of the last forward pass.
        var batch = 0, encoderLength = 0, targetLength = 0

        init(model: Transformer, maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int) {
            self.maxBatch = maxBatch
            self.maxSourceLength = maxSourceLength
            self.maxTargetLength = maxTargetLength
            let C = model.config.modelSize
            let encoderLength = model.config.layout == .encoderOnly ? maxSourceLength + 1 : maxSourceLength
            maxEncoderLength = model.sourceInput == nil ? 0 : encoderLength
            let targetLength = model.targetInput == nil ? 0 : maxTargetLength
            let encoderRows = maxBatch * maxEncoderLength, decoderRows = maxBatch * targetLength
            encoderTokens = .allocate(capacity: max(encoderRows, 1))
            encoderLengths = .allocate(capacity: max(maxBatch, 1))
            sourceLengths = .allocate(capacity: max(maxBatch, 1))
            decoderTokens = .allocate(capacity: max(decoderRows, 1))
            decoderLengths = .allocate(capacity: max(maxBatch, 1))
            sourceEmbedded = Tensor(shape: [encoderRows, C])
            sourceMask = Tensor(shape: [encoderRows, C])
            encoderActivations = model.encoder.map {
                TransformerBlock.Activations(block: $0, maxBatch: maxBatch, maxLength: encoderLength, maxMemoryLength: 0)
            }
            encoderNormed = Tensor(shape: [model.encoderNorm == nil ? 0 : encoderRows, C])
            encoderNormActivations = model.encoderNorm?.makeActivations(maxRows: encoderRows)
            targetEmbedded = Tensor(shape: [decoderRows, C])
            targetMask = Tensor(shape: [decoderRows, C])
            decoderActivations = model.decoder.map {
                TransformerBlock.Activations(block: $0, maxBatch: maxBatch, maxLength: targetLength, maxMemoryLength: encoderLength)
            }
            decoderNormed = Tensor(shape: [model.decoderNorm == nil ? 0 : decoderRows, C])
            decoderNormActivations = model.decoderNorm?.makeActivations(maxRows: decoderRows)
            classRows = Tensor(shape: [model.classifier == nil ? 0 : maxBatch, C])
            let outputRows = model.classifier == nil ? decoderRows : maxBatch
            logits = Tensor(shape: [outputRows, model.outputSize])
            probabilities = Tensor(shape: [outputRows, model.outputSize])
            losses = Tensor(shape: [outputRows])
            targetBuffer = .allocate(capacity: max(outputRows, 1))
            logitsGradient = Tensor(shape: [outputRows, model.outputSize])
            let stackRows = max(encoderRows, decoderRows)
            stackGradientA = Tensor(shape: [stackRows, C])
            stackGradientB = Tensor(shape: [stackRows, C])
            memoryGradient = Tensor(shape: [model.config.layout == .encoderDecoder ? encoderRows : 0, C])
            classRowsGradient = Tensor(shape: [model.classifier == nil ? 0 : maxBatch, C])
        }

        deinit {
            encoderTokens.deallocate()
            encoderLengths.deallocate()
            sourceLengths.deallocate()
            decoderTokens.deallocate()
            decoderLengths.deallocate()
            targetBuffer.deallocate()
        }
    }

    /// A workspace for batches of up to `maxBatch` examples with sequences up to the given lengths.
    public func makeWorkspace(maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int) -> Workspace {
        Workspace(model: self, maxBatch: maxBatch, maxSourceLength: maxSourceLength, maxTargetLength: maxTargetLength)
    }

    /// The workspace that evaluation and decoding reuse from call to call: the one kept from an earlier
    /// call when it is large enough, else a new one covering both that call's sizes and these, kept in
    /// its place. An evaluation then allocates once per run rather than once per batch and decoding
    /// (fresh memory costs page faults and zeroing; two workers pay them in the kernel side by side).
    /// Like the parameters, it is for one thread at a time.
    public func reusableWorkspace(maxBatch: Int, maxSourceLength: Int, maxTargetLength: Int) -> Workspace {
        reused.fitting(maxBatch: maxBatch, maxSourceLength: maxSourceLength, maxTargetLength: maxTargetLength) {
            makeWorkspace(maxBatch: $0, maxSourceLength: $1, maxTargetLength: $2)
        }
    }
}
