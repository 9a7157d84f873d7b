import Models
import Tensors

/// One optimizer step as `Trainer.run` takes it, kept apart from the loop so that a test can take the
/// same steps on a batch of its own and compare them with an independent reference:
///
///     zero gradients; loss = forward(batch, label smoothing, dropout)   NaN/Inf -> .nonFiniteLoss
///     backward; norm = ||g|| (clipped to clip_norm if set)               NaN/Inf -> .nonFiniteGradientNorm
///     optimizer step with the given learning rate
///
/// A step that stops at a non-finite loss or norm leaves the parameters as they were (the optimizer
/// is not called), so the run's model is the one of its last finite step.
struct TrainingStep {
    let model: Model
    let optimizer: Optimizer
    let labelSmoothing: Float
    /// The clipping threshold; infinite without clipping, so the norm is still measured (for the
    /// observer and divergence) but never scales.
    let maxNorm: Float

    enum Result {
        /// The step was taken: the forward's loss (before the update) and the gradient norm before clipping.
        case taken(LossResult, gradientNorm: Float)
        case nonFiniteLoss(Float)
        case nonFiniteGradientNorm(Float)
    }

    /// The optimizer the settings name, their label smoothing and clipping, for `model`.
    init(model: Model, settings: TrainingSettings) {
        self.model = model
        optimizer = Trainer.makeOptimizer(settings, parameterCount: model.parameterCount)
        labelSmoothing = Float(settings.labelSmoothing)
        maxNorm = settings.clipNorm.map(Float.init) ?? .infinity
    }

    /// Takes one step on `batch` with `workspace` (which must fit it); `dropout` nil trains without dropout.
    func take(_ batch: SequenceBatch, workspace: Model.Workspace, learningRate: Float, dropout: inout RNG?) -> Result {
        let parameters = model.parameters
        parameters.zeroGradients()
        let result = model.forward(batch, workspace: workspace, labelSmoothing: labelSmoothing, rng: &dropout)
        guard result.loss.isFinite else { return .nonFiniteLoss(result.loss) }
        model.backward(workspace: workspace)
        let norm = clipGradientNorm(parameters.gradients, maxNorm: maxNorm)
        guard norm.isFinite else { return .nonFiniteGradientNorm(norm) }
        optimizer.step(parameters: parameters, learningRate: learningRate)
        return .taken(result, gradientNorm: norm)
    }
}
