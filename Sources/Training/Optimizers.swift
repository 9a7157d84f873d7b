import CKernels
import Foundation
import Tensors

/// An update rule over the flat parameter and gradient buffers of a `ParameterSet`.
///
/// An optimizer is built for one parameter count and allocates its moment buffers (same layout as
/// the parameters) once. Each `step` is one flat loop. Hyperparameters are kept in Float64 and the
/// per-step scalars (bias corrections, step size) are computed in Float64, as PyTorch does with
/// Python floats; the loop itself is Float32.
public protocol Optimizer: AnyObject {
    /// The number of parameters (elements) the moment buffers were allocated for.
    var parameterCount: Int { get }
    /// The number of steps taken so far. The next call to `step` is step t = `steps + 1` (1-based, as
    /// in the Adam paper). Settable so that a checkpoint can restore it along with `state`.
    var steps: Int { get set }
    /// The moment buffers by name ("m", "v", "momentum"), in a fixed order, for checkpoints.
    var state: [(name: String, tensor: Tensor)] { get }
    /// Updates `parameters` in place from `gradients` (both `parameterCount` elements) and counts the step.
    func step(parameters: Tensor, gradients: Tensor, learningRate: Float)
}

extension Optimizer {
    /// Updates the values of `parameters` from its gradients (one step).
    public func step(parameters: ParameterSet, learningRate: Float) {
        step(parameters: parameters.values, gradients: parameters.gradients, learningRate: learningRate)
    }

    func checkBuffers(_ parameters: Tensor, _ gradients: Tensor) {
        precondition(parameters.count == parameterCount && gradients.count == parameterCount,
                     "optimizer built for \(parameterCount) parameters got \(parameters.count) values and \(gradients.count) gradients")
    }
}

/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// as PyTorch's `torch.optim.SGD` with `dampening = 0`:
///
///     g = g + weightDecay * p                   (if weightDecay != 0)
///     b = momentum * b + g                      (if momentum != 0; b starts at 0, so b_1 = g_1)
///     g = nesterov ? g + momentum * b : b       (if momentum != 0)
///     p = p - lr * g
public final class SGD: Optimizer {
    public let parameterCount: Int
    public var steps = 0
    public let momentum: Double
    public let weightDecay: Double
    public let nesterov: Bool
    /// The momentum buffer b (empty, count 0, when `momentum == 0`).
    public let velocity: Tensor

    public init(parameterCount: Int, momentum: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(parameterCount >= 0, "negative parameter count \(parameterCount)")
        precondition(momentum >= 0 && weightDecay >= 0, "SGD momentum \(momentum) and weight decay \(weightDecay) must be >= 0")
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
        self.parameterCount = parameterCount
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.velocity = Tensor(shape: [momentum > 0 ? parameterCount : 0])
    }

    public var state: [(name: String, tensor: Tensor)] { momentum > 0 ? [("momentum", velocity)] : [] }

    public func step(parameters: Tensor, gradients: Tensor, learningRate: Float) {
        checkBuffers(parameters, gradients)
        steps += 1
        let p = parameters.data, g = gradients.data, b = velocity.data
        let lr = learningRate, wd = Float(weightDecay), mu = Float(momentum)
        for i in 0..<parameterCount {
            var grad = g[i]
            if wd != 0 { grad += wd * p[i] }
            if mu != 0 {
                b[i] = mu * b[i] + grad
                grad = nesterov ? grad + mu * b[i] : b[i]
            }
            p[i] -= lr * grad
        }
    }
}

/// Adam (Kingma & Ba 2015) with optional classic L2 weight decay (added to the gradient), exactly
/// as PyTorch's `torch.optim.Adam` (non-amsgrad). At step t (1-based):
///
///     g = g + weightDecay * p                          (if weightDecay != 0)
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g^2
///     denom = sqrt(v) / sqrt(1 - beta2^t) + epsilon    (= sqrt(v̂) + epsilon, v̂ = v / (1 - beta2^t))
///     p = p - lr / (1 - beta1^t) * m / denom           (= p - lr * m̂ / (sqrt(v̂) + epsilon))
///
/// Defaults are PyTorch's: beta1 0.9, beta2 0.999, epsilon 1e-8, no weight decay.
public class Adam: Optimizer {
    public let parameterCount: Int
    public var steps = 0
    public let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    /// True for AdamW's decoupled weight decay, false for Adam's L2 term.
    public let decoupledWeightDecay: Bool
    /// First moment m, second moment v (same layout as the parameters).
    public let firstMoment: Tensor, secondMoment: Tensor

    public convenience init(parameterCount: Int, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.init(parameterCount: parameterCount, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
    }

    init(parameterCount: Int, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, decoupled: Bool) {
        precondition(parameterCount >= 0, "negative parameter count \(parameterCount)")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam betas must be in [0, 1): \(beta1), \(beta2)")
        precondition(epsilon >= 0 && weightDecay >= 0, "Adam epsilon \(epsilon) and weight decay \(weightDecay) must be >= 0")
        self.parameterCount = parameterCount
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        decoupledWeightDecay = decoupled
        firstMoment = Tensor(shape: [parameterCount])
        secondMoment = Tensor(shape: [parameterCount])
    }

    public var state: [(name: String, tensor: Tensor)] { [("m", firstMoment), ("v", secondMoment)] }

    public func step(parameters: Tensor, gradients: Tensor, learningRate: Float) {
        checkBuffers(parameters, gradients)
        steps += 1
        adamUpdate(parameters: parameters.data, gradients: gradients.data, m: firstMoment.data, v: secondMoment.data,
                   count: parameterCount, t: steps, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay, decoupled: decoupledWeightDecay)
    }
}

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, exactly as PyTorch's
/// `torch.optim.AdamW` (non-amsgrad). At step t (1-based), first
///
///     p = p * (1 - lr * weightDecay)
///
/// then the Adam update of `Adam` without the L2 term (the gradient is used as it is).
/// Defaults are PyTorch's: beta1 0.9, beta2 0.999, epsilon 1e-8, weight decay 0.01.
public final class AdamW: Adam {
    public init(parameterCount: Int, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        super.init(parameterCount: parameterCount, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }
}

/// The Adam / AdamW loop over flat buffers; see the doc comments of `Adam` and `AdamW`.
/// The scalars are computed in Float64 like PyTorch's Python floats, the loop runs in Float32.
private func adamUpdate(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, t: Int,
    learningRate: Float, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, decoupled: Bool
) {
    let lr = Double(learningRate)
    let biasCorrection1 = 1 - pow(beta1, Double(t))
    let biasCorrection2Root = Float((1 - pow(beta2, Double(t))).squareRoot())
    let stepSize = Float(lr / biasCorrection1)
    let b1 = Float(beta1), oneMinusB1 = Float(1 - beta1)
    let b2 = Float(beta2), oneMinusB2 = Float(1 - beta2)
    let eps = Float(epsilon)
    let l2 = decoupled ? 0 : Float(weightDecay)
    let shrink = decoupled ? Float(1 - lr * weightDecay) : 1
    // In C at the instruction set chosen at load (CKernels). Each element goes through the same Float32
    // operations in the same order as in a scalar loop (no sums across elements), so the results are
    // that loop's bits at every instruction set (OptimizerTests keeps the scalar replica).
    ablate_adam(p, g, m, v, Int64(count), stepSize, b1, oneMinusB1, b2, oneMinusB2, biasCorrection2Root, eps, l2, shrink)
}
