import Foundation
import VAExprsCore

/// The original package's reconstruction loss: binary cross-entropy between min-max scaled
/// data x ∈ [0, 1] and sigmoid(logits), summed over genes (= n_genes × Keras' mean BCE).
/// Computed from logits: softplus(l) − x·l, with no clipping. The decoder mean is sigmoid(l).
/// It has no sampling model for continuous data, so `--decode sample` is refused.
public final class BernoulliLikelihood: Likelihood {
    public let spec: ComponentSpec
    public var parameters: [Parameter] { [] }
    public var defaultDecodeMode: DecodeMode { .mean }

    /// The Bernoulli (binary cross-entropy) likelihood.
    public init(spec: ComponentSpec) { self.spec = spec }

    public func build(features: Int, training: Matrix, path: String) throws {}

    public func evaluate(output: Matrix, target: Matrix, gradient: Bool, scale: Float) -> LikelihoodEvaluation {
        var total = 0.0
        var grad = gradient ? Matrix(rows: output.rows, columns: output.columns) : nil
        output.storage.withUnsafeBufferPointer { l in
            target.storage.withUnsafeBufferPointer { x in
                for r in 0..<output.rows {
                    var rowLoss: Float = 0
                    let base = r * output.columns
                    for j in 0..<output.columns {
                        let v = l[base + j]
                        rowLoss += max(v, 0) - x[base + j] * v + log1pf(expf(-abs(v)))
                    }
                    total += Double(rowLoss)
                }
            }
        }
        if gradient {
            for i in output.storage.indices {
                grad!.storage[i] = scale * (stableSigmoid(output.storage[i]) - target.storage[i])
            }
        }
        return LikelihoodEvaluation(total: total, outputGradient: grad)
    }

    public func mean(output: Matrix) -> Matrix {
        var m = output
        SigmoidActivation().apply(&m.storage)
        return m
    }

    public func sample(output: Matrix, rng: inout SeededGenerator) throws -> Matrix {
        throw VAExprsError.usage(
            "--decode sample: the bernoulli likelihood has no observation model for continuous expression; use --decode mean, or fit with --likelihood gaussian")
    }
}
