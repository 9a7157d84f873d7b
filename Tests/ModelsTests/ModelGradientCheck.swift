import Foundation
@testable import Models
import Tensors
import TestSupport
import XCTest

/// Finite-difference checks of a whole model, per parameter slice, for either family.
enum ModelGradientCheck {
    /// Checks the gradients of `model` on `batch`:
    /// - a few coordinates of every slice against central differences of the loss (`GradientCheck`);
    /// - that every slice has a gradient (unless `mayBeZero` says it legitimately has none);
    /// - with `directional`, the derivative along a random direction of the whole slice, from a Float64
    ///   loss over the logits with Richardson-extrapolated differences: an error spread thinly over
    ///   many coordinates (a dropped path with small gradients) adds up there, rounding noise does not.
    /// Dropout, when the config has it, uses the same masks in every evaluation.
    static func assertMatches(_ model: Model, batch: SequenceBatch, labelSmoothing: Float = 0, directional: Bool,
                              mayBeZero: (String) -> Bool = { _ in false }, _ label: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        let workspace = model.makeWorkspace(maxBatch: batch.size, maxSourceLength: batch.sourceLength,
                                            maxTargetLength: batch.targetLength)
        let dropout: Float
        switch model.config {
        case .transformer(let config): dropout = config.dropout
        case .rnn(let config): dropout = config.dropout
        }
        let dropoutSeed = RNG(seed: 3, purpose: .dropout)
        func forward() -> LossResult {
            var rng: RNG? = dropout > 0 ? dropoutSeed : nil
            return model.forward(batch, workspace: workspace, labelSmoothing: labelSmoothing, rng: &rng)
        }
        let parameters = model.parameters
        parameters.zeroGradients()
        _ = forward()
        model.backward(workspace: workspace)
        let gradients = parameters.gradients.array
        let (logits, width): (Tensor, Int)
        switch (model, workspace.transformer, workspace.rnn) {
        case (.transformer(let transformer), let w?, _): (logits, width) = (w.logits, transformer.outputSize)
        case (.rnn(let rnn), _, let w?): (logits, width) = (w.logits, rnn.config.vocabulary)
        default: preconditionFailure("workspace of another family")
        }
        let targets = batch.targets.isEmpty ? batch.labels : batch.targets

        var check = GradientCheck()
        check.maximumProbes = 3
        for slice in parameters.slices where slice.count > 0 {
            let analytic = Array(gradients[slice.offset..<slice.offset + slice.count])
            let outcome = check.check(buffer: parameters.value(slice), count: slice.count, analytic: analytic) { Double(forward().loss) }
            XCTAssertTrue(outcome.passed, "\(label): \(slice.name) \(outcome)", file: file, line: line)
            if !mayBeZero(slice.name) {
                XCTAssertGreaterThan(analytic.map(abs).max() ?? 0, 0, "\(label): \(slice.name) has no gradient", file: file, line: line)
            }
            guard directional else { continue }
            let direction = randomFloats(slice.count, seed: UInt64(slice.offset) + 1)
            let values = parameters.value(slice), saved = Array(UnsafeBufferPointer(start: values, count: slice.count))
            func lossAlong(_ step: Float) -> Double {
                for i in 0..<slice.count { values[i] = saved[i] + step * direction[i] }
                _ = forward()
                return crossEntropy(logits, targets, vocabulary: width, labelSmoothing: labelSmoothing)
            }
            func difference(_ h: Float) -> Double { (lossAlong(h) - lossAlong(-h)) / (2 * Double(h)) }
            let numeric = (4 * difference(5e-3) - difference(1e-2)) / 3
            for i in 0..<slice.count { values[i] = saved[i] }
            let projected = zip(analytic, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            // Float32 logits carry rounding errors of a few 1e-7 of their size; differenced over steps of
            // 5e-3 they become noise proportional to the largest logit (large without normalisation).
            let largestLogit = (0..<(targets.count * width)).map { abs(Double(logits[$0])) }.max() ?? 1
            let noise = 3e-7 * largestLogit / 5e-3
            XCTAssertLessThanOrEqual(abs(projected - numeric), 1e-5 + noise + 1e-3 * abs(numeric),
                                     "\(label): \(slice.name) along a random direction: analytic \(projected), numeric \(numeric)",
                                     file: file, line: line)
        }
        XCTAssertGreaterThan(gradients.map(abs).max() ?? 0, 1e-4, "\(label): gradients are all zero", file: file, line: line)
    }

    /// The mean cross-entropy of (rows, V) logits over the targets that are not ignored, in Float64.
    static func crossEntropy(_ logits: Tensor, _ targets: [Int32], vocabulary V: Int, labelSmoothing: Float) -> Double {
        var total = 0.0, counted = 0
        for (r, target) in targets.enumerated() where target != SequenceBatch.ignore {
            let z = (0..<V).map { Double(logits[r * V + $0]) }
            let maximum = z.max()!
            let logSumExp = maximum + log(z.reduce(0) { $0 + exp($1 - maximum) })
            let smoothing = Double(labelSmoothing)
            total += logSumExp - (1 - smoothing) * z[Int(target)] - smoothing / Double(V) * z.reduce(0, +)
            counted += 1
        }
        return total / Double(max(counted, 1))
    }
}
