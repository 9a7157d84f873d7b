import Layers
import Tensors

/// How a sublayer f (attention or feed-forward) is wired into the residual stream: the switches
/// `residual` and `norm` of `TransformerConfig`.
///
///     norm post: out = LN(x + f(x))        without residual: out = LN(f(x))
///     norm pre:  out = x + f(LN(x))        without residual: out = f(LN(x))
///     norm none: out = x + f(x)            without residual: out = f(x)
///
/// Dropout, when training with p > 0, applies to f's output before the residual sum.
struct Sublayer: Sendable {
    let residual: Bool
    let norm: TransformerConfig.Norm
    /// The layer norm (nil when norm is none).
    let layerNorm: LayerNorm?
    let modelSize: Int

    init(_ name: String, modelSize: Int, residual: Bool, norm: TransformerConfig.Norm, layout: inout ParameterLayout) {
        self.residual = residual
        self.norm = norm
        self.modelSize = modelSize
        layerNorm = norm == .none ? nil : LayerNorm(name, size: modelSize, layout: &layout)
    }

    func initialize(_ parameters: ParameterSet) { layerNorm?.initialize(parameters) }

    /// What the forward keeps for the backward, and the backward's scratch, for up to `maxRows` rows.
    final class Activations {
        /// pre: LN(x), the input of f.
        let normed: Tensor
        /// f's output, after dropout.
        let sublayerOutput: Tensor
        /// The dropout mask (0 or 1/(1-p)); unused without dropout.
        let mask: Tensor
        /// post: the input of the layer norm.
        let summed: Tensor
        let normActivations: LayerNorm.Activations?
        /// The block output of this sublayer.
        let out: Tensor
        let sublayerGradient: Tensor, normedGradient: Tensor, summedGradient: Tensor
        var dropoutUsed = false

        init(maxRows: Int, modelSize C: Int, layerNorm: LayerNorm?) {
            normed = Tensor(shape: [maxRows, C])
            sublayerOutput = Tensor(shape: [maxRows, C])
            mask = Tensor(shape: [maxRows, C])
            summed = Tensor(shape: [maxRows, C])
            out = Tensor(shape: [maxRows, C])
            normActivations = layerNorm?.makeActivations(maxRows: maxRows)
            sublayerGradient = Tensor(shape: [maxRows, C])
            normedGradient = Tensor(shape: [maxRows, C])
            summedGradient = Tensor(shape: [maxRows, C])
        }
    }

    func makeActivations(maxRows: Int) -> Activations {
        Activations(maxRows: maxRows, modelSize: modelSize, layerNorm: layerNorm)
    }

    /// Runs the wiring around `f(out, inp)`; the result is in `activations.out`.
    func forward(x: UnsafePointer<Float>, rows: Int, dropout: Float, rng: inout RNG?, activations a: Activations,
                 parameters: ParameterSet, f: (_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>) -> Void) {
        // x is (rows, C); every buffer of `a` is used for its first rows*C values
        let count = rows * modelSize
        var inp = x
        if norm == .pre, let layerNorm, let normActivations = a.normActivations {
            layerNorm.forward(out: a.normed.data, inp: x, rows: rows, activations: normActivations, parameters: parameters)
            inp = UnsafePointer(a.normed.data)
        }
        f(a.sublayerOutput.data, inp)
        a.dropoutUsed = false
        if dropout > 0, rng != nil {
            dropoutForward(out: a.sublayerOutput.data, mask: a.mask.data, inp: a.sublayerOutput.data,
                           probability: dropout, rng: &rng!, count: count)
            a.dropoutUsed = true
        }
        if norm == .post, residual, let layerNorm, let normActivations = a.normActivations {
            // summed = x + f and out = LN(summed), row by row in one pass
            layerNorm.forwardResidual(out: a.out.data, summed: a.summed.data, x: x, f: a.sublayerOutput.data, rows: rows,
                                      activations: normActivations, parameters: parameters)
            return
        }
        let target = norm == .post ? a.summed.data : a.out.data
        if residual {
            add(out: target, a: x, b: a.sublayerOutput.data, count: count)
        } else {
            copyValues(out: target, inp: a.sublayerOutput.data, count: count)
        }
        if norm == .post, let layerNorm, let normActivations = a.normActivations {
            layerNorm.forward(out: a.out.data, inp: a.summed.data, rows: rows, activations: normActivations, parameters: parameters)
        }
    }

    /// Accumulates d x into `dx` given d out, calling `fBackward(dinp, dout, inp)` for f, which must
    /// accumulate its input gradient into `dinp`.
    func backward(dx: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                  activations a: Activations, parameters: ParameterSet,
                  fBackward: (_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ inp: UnsafePointer<Float>) -> Void) {
        let count = rows * modelSize
        var g = dout
        // post: out = LN(summed)
        if norm == .post, let layerNorm, let normActivations = a.normActivations {
            layerNorm.backward(dinp: a.summedGradient.data, dout: dout, inp: a.summed.data, rows: rows,
                               activations: normActivations, parameters: parameters, accumulate: false)
            g = UnsafePointer(a.summedGradient.data)
        }
        // summed = x + f  =>  dx += g
        if residual { axpy(y: dx, alpha: 1, x: g, count: count) }
        // f = dropout(f')  =>  df' = g * mask
        var df = g
        if a.dropoutUsed {
            a.sublayerGradient.data.update(repeating: 0, count: count)
            dropoutBackward(dinp: a.sublayerGradient.data, dout: g, mask: a.mask.data, count: count)
            df = UnsafePointer(a.sublayerGradient.data)
        }
        if norm == .pre, let layerNorm, let normActivations = a.normActivations {
            // f's input is LN(x)
            a.normedGradient.data.update(repeating: 0, count: count)
            fBackward(a.normedGradient.data, df, a.normed.data)
            layerNorm.backward(dinp: dx, dout: a.normedGradient.data, inp: x, rows: rows,
                               activations: normActivations, parameters: parameters)
        } else {
            fBackward(dx, df, x)
        }
    }
}
