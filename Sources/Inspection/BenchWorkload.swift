import Foundation
import Models
import Tensors
import Training

/// One of the reference training workloads defined in docs/performance.md (shared with the PyTorch and JAX peers):
/// the model, the batch shape, how its data is made, and how many FLOPs one training step counts.
public struct BenchWorkload: Sendable {
    public enum ID: String, CaseIterable, Codable, Sendable {
        case w1, w2, w3, s1, s2, s3
    }

    public let id: ID
    /// The name the workload definitions use: encdec, decoder, rnn; encdec-small, decoder-small, rnn-small.
    public let name: String
    /// One line: what the workload is.
    public let summary: String
    public let model: ModelConfig
    /// B
    public let batch: Int
    /// The encoder's input length (0 for the decoder-only W2).
    public let sourceLength: Int
    /// The tokens the loss is taken on per example (the decoder length).
    public let targetLength: Int
    /// The parameter count the definition gives, which the model must have.
    public let expectedParameters: Int
    /// The definition's approximate total, in GFLOP per step.
    public let referenceGFLOP: Double

    /// Target tokens per step: batch x target length.
    public var tokensPerStep: Int { batch * targetLength }

    /// The workload named `w1` ... `s3`, or `encdec`, `decoder`, `rnn`, `encdec-small`, ... (case-insensitive).
    public static func named(_ text: String) -> BenchWorkload? {
        let key = text.lowercased()
        return all.first { $0.id.rawValue == key || $0.name == key }
    }

    /// W1, W2, W3: the reference sizes.
    public static let reference: [BenchWorkload] = [.encoderDecoder, .decoder, .rnn]
    /// S1, S2, S3: the sizes the experiment files use.
    public static let small: [BenchWorkload] = [.encoderDecoderSmall, .decoderSmall, .rnnSmall]
    /// W1-W3, then S1-S3.
    public static let all: [BenchWorkload] = reference + small

    /// W1 encdec: the paper's encoder-decoder, post-LayerNorm, separate source and target embeddings
    /// scaled by sqrt(d_model) plus sinusoidal positions, biases everywhere; target = reversed source.
    public static let encoderDecoder: BenchWorkload = {
        var config = TransformerConfig()
        config.layout = .encoderDecoder
        config.vocabulary = 20
        config.modelSize = 128
        config.heads = 4
        config.feedForwardSize = 512
        config.activation = .relu
        config.encoderLayers = 2
        config.decoderLayers = 2
        config.positional = .sinusoidal
        config.norm = .post
        config.scaleEmbeddings = true
        config.bias = true
        config.causalMask = true
        config.attentionScale = .sqrtDk
        config.dropout = 0
        return BenchWorkload(id: .w1, name: "encdec", summary: "encoder-decoder Transformer, 2+2 layers, post-LN, reverse 64 tokens",
                             model: .transformer(config), batch: 32, sourceLength: 64, targetLength: 64,
                             expectedParameters: 933_396, referenceGFLOP: 12.5)
    }()

    /// W2 decoder: a causal language model, pre-LayerNorm with a final LayerNorm, token embedding (not
    /// scaled, as in the definition and the peers) plus a learned 128 x 128 positional table; the second
    /// half of each sequence repeats the first.
    public static let decoder: BenchWorkload = {
        var config = TransformerConfig()
        config.layout = .decoderOnly
        config.vocabulary = 20
        config.modelSize = 128
        config.heads = 4
        config.feedForwardSize = 512
        config.activation = .relu
        config.decoderLayers = 4
        config.positional = .learned
        config.maxLength = 128
        config.norm = .pre
        config.scaleEmbeddings = false
        config.bias = true
        config.causalMask = true
        config.attentionScale = .sqrtDk
        config.dropout = 0
        return BenchWorkload(id: .w2, name: "decoder", summary: "decoder-only Transformer, 4 layers, pre-LN, 128 tokens, second half repeats the first",
                             model: .transformer(config), batch: 32, sourceLength: 0, targetLength: 128,
                             expectedParameters: 814_868, referenceGFLOP: 22.6)
    }()

    /// W3 rnn: a unidirectional one-layer GRU encoder and GRU decoder with Bahdanau attention (no
    /// biases in W, U, v; U h_j once per batch); target = reversed source.
    public static let rnn: BenchWorkload = {
        var config = RNNConfig()
        config.cell = .gru
        config.attention = .additive
        config.vocabulary = 20
        config.embeddingSize = 64
        config.hidden = 128
        config.attentionSize = 128
        config.layers = 1
        config.bidirectional = false
        config.dropout = 0
        return BenchWorkload(id: .w3, name: "rnn", summary: "GRU encoder-decoder with additive attention, reverse 64 tokens",
                             model: .rnn(config), batch: 32, sourceLength: 64, targetLength: 64,
                             expectedParameters: 238_740, referenceGFLOP: 3.1)
    }()

    // MARK: The experiment-size workloads

    /// S1 encdec-small: W1 with d_model 64, heads 4, d_ff 256, 2+2 layers, source and target length 12.
    public static let encoderDecoderSmall: BenchWorkload = {
        guard case .transformer(var config) = encoderDecoder.model else { preconditionFailure("W1 is a Transformer") }
        config.modelSize = 64
        config.feedForwardSize = 256
        return BenchWorkload(id: .s1, name: "encdec-small", summary: "W1 at experiment size: d_model 64, d_ff 256, reverse 12 tokens",
                             model: .transformer(config), batch: 32, sourceLength: 12, targetLength: 12,
                             expectedParameters: 237_332, referenceGFLOP: 0.553)
    }()

    /// S2 decoder-small: W2 with d_model 64, heads 4, d_ff 256, 2 layers, 26 tokens (learned table 26 x 64).
    public static let decoderSmall: BenchWorkload = {
        guard case .transformer(var config) = decoder.model else { preconditionFailure("W2 is a Transformer") }
        config.modelSize = 64
        config.feedForwardSize = 256
        config.decoderLayers = 2
        config.maxLength = 26
        return BenchWorkload(id: .s2, name: "decoder-small", summary: "W2 at experiment size: d_model 64, 2 layers, 26 tokens",
                             model: .transformer(config), batch: 32, sourceLength: 0, targetLength: 26,
                             expectedParameters: 104_340, referenceGFLOP: 0.530)
    }()

    /// S3 rnn-small: W3 with source and target length 12.
    public static let rnnSmall = BenchWorkload(
        id: .s3, name: "rnn-small", summary: "W3 at experiment size: reverse 12 tokens",
        model: rnn.model, batch: 32, sourceLength: 12, targetLength: 12, expectedParameters: 238_740, referenceGFLOP: 0.547)

    // MARK: FLOPs

    /// The FLOPs of one training step as docs/performance.md counts them: 2*m*n*k for every matrix product of
    /// the forward pass, times 3 for forward + backward. Element-wise work, embeddings, softmax, norms and
    /// the optimizer are not counted.
    public var flopsPerStep: Int { 3 * forwardFLOPs }

    /// The forward pass's matrix-product FLOPs (see `flopsPerStep`).
    public var forwardFLOPs: Int {
        switch model {
        case .transformer(let config):
            return BenchWorkload.transformerForwardFLOPs(config, batch: batch, sourceLength: sourceLength, targetLength: targetLength)
        case .rnn(let config):
            return BenchWorkload.rnnForwardFLOPs(config, batch: batch, sourceLength: sourceLength, targetLength: targetLength)
        }
    }

    /// Transformer, per example (then times B), with D = d_model, F = d_ff, V = vocabulary:
    ///
    ///     attention(Tq queries, Tk keys) = 2*Tq*D*D * 2     Q and O projections on the Tq query rows
    ///                                    + 2*Tk*D*D * 2     K and V projections on the Tk key rows
    ///                                    + 2*Tq*Tk*D * 2    Q K^T and P V over all heads, dense even where masked
    ///     ffn(T rows)                    = 2*T*D*F * 2      the two linears
    ///     output(T rows)                 = 2*T*D*V
    ///
    ///     W1 encdec:  2 x [attention(S, S) + ffn(S)]                                  encoder
    ///               + 2 x [attention(T, T) + attention(T, S) + ffn(T)]                decoder: self, cross
    ///               + output(T)
    ///               = 32 x 64 x (2 x 425,984 + 2 x 589,824) + 32 x 64 x 5,120 = 4,171,235,328 forward
    ///               x 3 = 12,513,705,984 per step (defined as about 12.5 GFLOP)
    ///     W2 decoder: 4 x [attention(L, L) + ffn(L)] + output(L)
    ///               = 32 x 128 x (4 x 458,752 + 5,120) = 7,537,164,288 forward
    ///               x 3 = 22,611,492,864 per step (defined as about 22.6 GFLOP)
    ///     S1 encdec-small: 32 x (2 x 1,216,512 + 2 x 1,646,592 + 30,720) = 184,221,696 forward
    ///               x 3 = 552,665,088 per step (about 0.553 GFLOP)
    ///     S2 decoder-small: 32 x (2 x 2,728,960 + 66,560) = 176,783,360 forward
    ///               x 3 = 530,350,080 per step (about 0.530 GFLOP)
    public static func transformerForwardFLOPs(_ config: TransformerConfig, batch B: Int, sourceLength S: Int, targetLength T: Int) -> Int {
        let D = config.modelSize, F = config.feedForwardSize, V = config.vocabulary
        func attention(_ queries: Int, _ keys: Int) -> Int {
            2 * queries * D * D * 2 + 2 * keys * D * D * 2 + 2 * queries * keys * D * 2
        }
        func feedForward(_ rows: Int) -> Int { config.feedForward ? 2 * rows * D * F * 2 : 0 }
        let output = 2 * T * D * V
        var perExample = output
        switch config.layout {
        case .encoderDecoder:
            perExample += config.encoderLayers * (attention(S, S) + feedForward(S))
            perExample += config.decoderLayers * (attention(T, T) + attention(T, S) + feedForward(T))
        case .decoderOnly:
            perExample += config.decoderLayers * (attention(T, T) + feedForward(T))
        case .encoderOnly:
            preconditionFailure("no reference workload is encoder-only")
        }
        return B * perExample
    }

    /// RNN (one unidirectional GRU layer each side, additive attention), per example (then times B),
    /// with E embedding, H hidden, A attention size, He = H key width, V vocabulary:
    ///
    ///     encoder, S steps:   S x (2*E*3H + 2*H*3H)           input and hidden projections of the gates
    ///     keys, once:         S x 2*He*A                       U h_j
    ///     decoder, T steps:   T x (2*H*A                       W s_{t-1}
    ///                              + 2*S*A                     v^T tanh(...) over the S keys
    ///                              + 2*S*He                    the context, sum_j a_j h_j
    ///                              + 2*(E+He)*3H + 2*H*3H      the gates from [embedding; context] and s_{t-1}
    ///                              + 2*(H+He)*V)               the output layer on [s_t; context_t]
    ///
    ///     W3 rnn: 32 x (64 x 147,456 + 64 x 32,768 + 64 x 321,536) = 1,027,604,480 forward
    ///             x 3 = 3,082,813,440 per step (defined as about 3.1 GFLOP)
    ///     S3 rnn-small: 32 x (12 x 147,456 + 12 x 32,768 + 12 x 294,912) = 182,452,224 forward
    ///             x 3 = 547,356,672 per step (about 0.547 GFLOP)
    public static func rnnForwardFLOPs(_ config: RNNConfig, batch B: Int, sourceLength S: Int, targetLength T: Int) -> Int {
        precondition(config.cell == .gru && config.attention == .additive && config.layers == 1 && !config.bidirectional,
                     "the FLOP count covers the reference RNN only: one unidirectional GRU layer with additive attention")
        let E = config.embeddingSize, H = config.hidden, A = config.attentionSize, He = H, V = config.vocabulary
        let encoder = S * (2 * E * 3 * H + 2 * H * 3 * H)
        let keys = S * 2 * He * A
        let step = 2 * H * A + 2 * S * A + 2 * S * He + 2 * (E + He) * 3 * H + 2 * H * 3 * H + 2 * (H + He) * V
        return B * (encoder + keys + T * step)
    }

    // MARK: Data

    /// `count` batches drawn from `RNG(seed, .data)`: tokens uniform in 1..<vocabulary (0 is the start
    /// token), teacher forcing. W1, W3: target = reversed source, decoder input = [0] + target[..<T-1].
    /// W2: a sequence of L + 1 tokens whose second half repeats the first (a half of L/2 + 1 tokens,
    /// then that half again, cut at L + 1), input = sequence[..<L], targets = sequence[1...]: the loss
    /// is on every position. This is how the peers make their data, with another generator.
    public func makeBatches(count: Int, seed: UInt64) -> [SequenceBatch] {
        var rng = RNG(seed: seed, purpose: .data)
        let vocabulary: Int
        switch model {
        case .transformer(let config): vocabulary = config.vocabulary
        case .rnn(let config): vocabulary = config.vocabulary
        }
        func token() -> Int32 { Int32(rng.int(in: 1...(vocabulary - 1))) }
        let B = batch, S = sourceLength, T = targetLength
        let targetLengths = [Int32](repeating: Int32(T), count: B)
        return (0..<count).map { _ in
            if S == 0 {
                var input: [Int32] = [], targets: [Int32] = []
                input.reserveCapacity(B * T)
                targets.reserveCapacity(B * T)
                for _ in 0..<B {
                    let half = (0..<(T / 2 + 1)).map { _ in token() }
                    let sequence = Array((half + half).prefix(T + 1))
                    input += sequence[0..<T]
                    targets += sequence[1...T]
                }
                return SequenceBatch(size: B, sourceLength: 0, source: [], sourceLengths: [], targetLength: T,
                                     decoderInput: input, targets: targets, targetLengths: targetLengths)
            }
            var source: [Int32] = [], input: [Int32] = [], targets: [Int32] = []
            for _ in 0..<B {
                let row = (0..<S).map { _ in token() }
                let target = Array(row.reversed().prefix(T))
                source += row
                targets += target
                input += [Model.startToken] + target.prefix(T - 1)
            }
            return SequenceBatch(size: B, sourceLength: S, source: source, sourceLengths: [Int32](repeating: Int32(S), count: B),
                                 targetLength: T, decoderInput: input, targets: targets, targetLengths: targetLengths)
        }
    }
}

/// One workload as `ablate bench --list --json` prints it: what a peer needs to do the same work.
public struct BenchWorkloadInfo: Codable, Sendable {
    public var workload: String
    public var name: String
    public var summary: String
    /// The model config, as JSON (`ModelConfig.json()`).
    public var model: String
    /// The parameters of the model built from `model`, and the count its definition gives.
    public var parameters: Int
    public var expectedParameters: Int
    public var batch: Int
    public var sourceLength: Int
    public var targetLength: Int
    public var flopsPerStep: Int
    public var referenceGFLOP: Double

    /// Builds the workload's model to count its parameters.
    public init(_ w: BenchWorkload) throws {
        workload = w.id.rawValue
        name = w.name
        summary = w.summary
        model = w.model.json()
        parameters = try Model.build(w.model, seed: 1).parameterCount
        expectedParameters = w.expectedParameters
        batch = w.batch
        sourceLength = w.sourceLength
        targetLength = w.targetLength
        flopsPerStep = w.flopsPerStep
        referenceGFLOP = w.referenceGFLOP
    }
}
