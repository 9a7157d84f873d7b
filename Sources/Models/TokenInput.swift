import Layers
import Tensors

/// The input stage of a stack: token embedding (times sqrt(d_model) when configured), plus sinusoidal or
/// learned positions, then dropout when training.
struct TokenInput: Sendable {
    let embedding: Embedding
    let learnedPositions: LearnedPositionalEncoding?
    let sinusoidal: Bool
    let modelSize: Int

    init(_ name: String, vocabulary: Int, config: TransformerConfig, layout: inout ParameterLayout) {
        let C = config.modelSize
        modelSize = C
        embedding = Embedding("\(name).embedding", vocabularySize: vocabulary, modelSize: C,
                              scale: config.scaleEmbeddings ? Float(C).squareRoot() : 1, layout: &layout)
        learnedPositions = config.positional == .learned
            ? LearnedPositionalEncoding("\(name).positions", maxLength: config.maxLength, modelSize: C, layout: &layout) : nil
        sinusoidal = config.positional == .sinusoidal
    }

    func initialize(_ parameters: ParameterSet, rng: inout RNG) {
        embedding.initialize(parameters, rng: &rng)
        learnedPositions?.initialize(parameters, rng: &rng)
    }

    /// out (B, T, C) = embed(tokens) + positions(offset..<offset+T), then dropout. Returns whether dropout ran.
    @discardableResult
    func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, batch: Int, length: Int, offset: Int = 0,
                 dropout: Float, rng: inout RNG?, mask: UnsafeMutablePointer<Float>, parameters: ParameterSet) -> Bool {
        let rows = batch * length
        embedding.forward(out: out, tokens: tokens, rows: rows, parameters: parameters)
        if sinusoidal { addSinusoidal(to: out, batch: batch, length: length, modelSize: modelSize, offset: offset) }
        learnedPositions?.add(to: out, batch: batch, length: length, offset: offset, parameters: parameters)
        if dropout > 0, rng != nil {
            dropoutForward(out: out, mask: mask, inp: out, probability: dropout, rng: &rng!, count: rows * modelSize)
            return true
        }
        return false
    }

    /// Accumulates the embedding (and learned position) gradients from d out. `dout` is overwritten
    /// when dropout ran (it is multiplied by the mask in place).
    func backward(dout: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, batch: Int, length: Int,
                  dropoutUsed: Bool, mask: UnsafePointer<Float>, parameters: ParameterSet) {
        let rows = batch * length
        // out = dropout(e)  =>  de = dout * mask
        if dropoutUsed { multiply(out: dout, a: dout, b: mask, count: rows * modelSize) }
        learnedPositions?.backward(dout: dout, batch: batch, length: length, offset: 0, parameters: parameters)
        embedding.backward(dout: dout, tokens: tokens, rows: rows, parameters: parameters)
    }
}
