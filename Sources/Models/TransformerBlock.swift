import Layers
import Tensors

/// One Transformer layer: self-attention, cross-attention (decoder of an encoder-decoder only) and
/// the feed-forward network (unless switched off), each wired by a `Sublayer`.
struct TransformerBlock: Sendable {
    let selfAttention: MultiHeadAttention
    let selfWiring: Sublayer
    let crossAttention: MultiHeadAttention?
    let crossWiring: Sublayer?
    let feedForward: FeedForward?
    let feedForwardWiring: Sublayer?
    /// Whether self-attention masks the future.
    let causal: Bool
    let modelSize: Int

    init(_ name: String, config: TransformerConfig, causal: Bool, cross: Bool, layout: inout ParameterLayout) {
        let C = config.modelSize
        modelSize = C
        self.causal = causal
        let positions: MultiHeadAttention.Positions
        switch config.positional {
        case .rope: positions = .rope
        case .alibi: positions = .alibi
        case .none, .sinusoidal, .learned: positions = .none
        }
        let scaling: MultiHeadAttention.Scaling = config.attentionScale == .sqrtDk ? .sqrtDk : .none
        selfAttention = MultiHeadAttention("\(name).self_attention", modelSize: C, heads: config.heads, bias: config.bias,
                                           scaling: scaling, positions: positions, layout: &layout)
        selfWiring = Sublayer("\(name).self_attention_norm", modelSize: C, residual: config.residual, norm: config.norm, layout: &layout)
        if cross {
            crossAttention = MultiHeadAttention("\(name).cross_attention", modelSize: C, heads: config.heads, bias: config.bias,
                                                scaling: scaling, positions: .none, layout: &layout)
            crossWiring = Sublayer("\(name).cross_attention_norm", modelSize: C, residual: config.residual, norm: config.norm, layout: &layout)
        } else {
            crossAttention = nil
            crossWiring = nil
        }
        if config.feedForward {
            let activation: Activation
            switch config.activation {
            case .relu: activation = .relu
            case .gelu: activation = .gelu
            case .geluTanh: activation = .geluTanh
            }
            feedForward = FeedForward("\(name).feed_forward", modelSize: C, hiddenSize: config.feedForwardSize,
                                      activation: activation, bias: config.bias, layout: &layout)
            feedForwardWiring = Sublayer("\(name).feed_forward_norm", modelSize: C, residual: config.residual, norm: config.norm, layout: &layout)
        } else {
            feedForward = nil
            feedForwardWiring = nil
        }
    }

    func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        selfAttention.initialize(parameters, rng: &rng)
        selfWiring.initialize(parameters)
        crossAttention?.initialize(parameters, rng: &rng)
        crossWiring?.initialize(parameters)
        feedForward?.initialize(parameters, rng: &rng)
        feedForwardWiring?.initialize(parameters)
    }

    final class Activations {
        let selfAttention: MultiHeadAttention.Activations
        let selfWiring: Sublayer.Activations
        let crossAttention: MultiHeadAttention.Activations?
        let crossWiring: Sublayer.Activations?
        let feedForward: FeedForward.Activations?
        let feedForwardWiring: Sublayer.Activations?
        /// Backward scratch: the gradients between sublayers.
        let gradientA: Tensor, gradientB: Tensor

        init(block: TransformerBlock, maxBatch: Int, maxLength: Int, maxMemoryLength: Int) {
            let rows = maxBatch * maxLength
            selfAttention = block.selfAttention.makeActivations(maxBatch: maxBatch, maxQueryLength: maxLength, maxKeyLength: maxLength)
            selfWiring = block.selfWiring.makeActivations(maxRows: rows)
            crossAttention = block.crossAttention?.makeActivations(maxBatch: maxBatch, maxQueryLength: maxLength, maxKeyLength: maxMemoryLength)
            crossWiring = block.crossWiring?.makeActivations(maxRows: rows)
            feedForward = block.feedForward?.makeActivations(maxRows: rows)
            feedForwardWiring = block.feedForwardWiring?.makeActivations(maxRows: rows)
            gradientA = Tensor(shape: [rows, block.modelSize])
            gradientB = Tensor(shape: [rows, block.modelSize])
        }

        /// The block's output of the last forward.
        var out: Tensor { (feedForwardWiring ?? crossWiring ?? selfWiring).out }
    }

    /// The inputs every sublayer shares.
    struct Shape {
        var batch: Int
        var length: Int
        /// Valid positions per example (keys beyond are padding), or nil.
        var lengths: UnsafePointer<Int32>?
        /// The encoder output for cross-attention, (B, memoryLength, C).
        var memory: UnsafePointer<Float>?
        var memoryLength: Int
        var memoryLengths: UnsafePointer<Int32>?
        var rows: Int { batch * length }
    }

    /// x is (B, T, C); the output is `activations.out`.
    func forward(x: UnsafePointer<Float>, shape s: Shape, dropout: Float, rng: inout RNG?, activations a: Activations,
                 parameters: ParameterSet) {
        selfWiring.forward(x: x, rows: s.rows, dropout: dropout, rng: &rng, activations: a.selfWiring, parameters: parameters) { out, inp in
            selfAttention.forward(out: out, query: inp, keyValue: inp, batch: s.batch, queryLength: s.length, keyLength: s.length,
                                  causal: causal, keyLengths: s.lengths, activations: a.selfAttention, parameters: parameters)
        }
        var current = UnsafePointer(a.selfWiring.out.data)
        if let crossAttention, let crossWiring, let crossActivations = a.crossAttention, let wiring = a.crossWiring, let memory = s.memory {
            crossWiring.forward(x: current, rows: s.rows, dropout: dropout, rng: &rng, activations: wiring, parameters: parameters) { out, inp in
                crossAttention.forward(out: out, query: inp, keyValue: memory, batch: s.batch, queryLength: s.length,
                                       keyLength: s.memoryLength, causal: false, keyLengths: s.memoryLengths,
                                       activations: crossActivations, parameters: parameters)
            }
            current = UnsafePointer(wiring.out.data)
        }
        if let feedForward, let feedForwardWiring, let ffActivations = a.feedForward, let wiring = a.feedForwardWiring {
            feedForwardWiring.forward(x: current, rows: s.rows, dropout: dropout, rng: &rng, activations: wiring, parameters: parameters) { out, inp in
                feedForward.forward(out: out, inp: inp, rows: s.rows, activations: ffActivations, parameters: parameters)
            }
        }
    }

    /// Accumulates d x into `dx` (and d memory into `dmemory` for cross-attention) from d out.
    func backward(dx: UnsafeMutablePointer<Float>, dmemory: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                  x: UnsafePointer<Float>, shape s: Shape, activations a: Activations, parameters: ParameterSet) {
        let count = s.rows * modelSize
        var g = dout
        // Inputs of the later sublayers are the outputs of the earlier ones.
        let afterSelf = UnsafePointer(a.selfWiring.out.data)
        let afterCross = a.crossWiring.map { UnsafePointer($0.out.data) } ?? afterSelf
        if let feedForward, let feedForwardWiring, let ffActivations = a.feedForward, let wiring = a.feedForwardWiring {
            a.gradientA.data.update(repeating: 0, count: count)
            feedForwardWiring.backward(dx: a.gradientA.data, dout: g, x: afterCross, rows: s.rows, activations: wiring,
                                       parameters: parameters) { dinp, dout, inp in
                feedForward.backward(dinp: dinp, dout: dout, inp: inp, rows: s.rows, activations: ffActivations, parameters: parameters)
            }
            g = UnsafePointer(a.gradientA.data)
        }
        if let crossAttention, let crossWiring, let crossActivations = a.crossAttention, let wiring = a.crossWiring {
            guard let memory = s.memory, let dmemory else { preconditionFailure("cross-attention backward needs the memory and its gradient") }
            let destination = g == UnsafePointer(a.gradientA.data) ? a.gradientB : a.gradientA
            destination.data.update(repeating: 0, count: count)
            crossWiring.backward(dx: destination.data, dout: g, x: afterSelf, rows: s.rows, activations: wiring,
                                 parameters: parameters) { dinp, dout, inp in
                crossAttention.backward(dquery: dinp, dkeyValue: dmemory, dout: dout, query: inp, keyValue: memory,
                                        batch: s.batch, queryLength: s.length, keyLength: s.memoryLength,
                                        activations: crossActivations, parameters: parameters)
            }
            g = UnsafePointer(destination.data)
        }
        selfWiring.backward(dx: dx, dout: g, x: x, rows: s.rows, activations: a.selfWiring, parameters: parameters) { dinp, dout, inp in
            selfAttention.backward(dquery: dinp, dkeyValue: dinp, dout: dout, query: inp, keyValue: inp, batch: s.batch,
                                   queryLength: s.length, keyLength: s.length,
                                   activations: a.selfAttention, parameters: parameters)
        }
    }
}
