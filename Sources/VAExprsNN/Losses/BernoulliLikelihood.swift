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
        var grad = gradient ? Matrix(uninitializedRows: output.rows, columns: output.columns) : nil
        var rowLosses = [Float](repeating: 0, count: output.rows)
        let g = output.columns
        let blocks = WorkerPool.blocks(output.rows, parts: output.storage.count >= 1 << 14 ? WorkerPool.shared.threads : 1)
        output.storage.withUnsafeBufferPointer { l in
            target.storage.withUnsafeBufferPointer { x in
                rowLosses.withUnsafeMutableBufferPointer { losses in
                    withOptionalPointer(&grad) { dl in
                        WorkerPool.shared.run(parts: blocks.count) { part in
                            for r in blocks[part] {
                                var rowLoss: Float = 0
                                let base = r * g
                                for j in 0..<g {
                                    let v = l[base + j]
                                    let e = expf(-abs(v))  // one exponential serves the loss and the sigmoid
                                    rowLoss += max(v, 0) - x[base + j] * v + log1pf(e)
                                    if let dl {
                                        let sigmoid = v >= 0 ? 1 / (1 + e) : e / (1 + e)
                                        dl[base + j] = scale * (sigmoid - x[base + j])
                                    }
                                }
                                losses[r] = rowLoss
                            }
                        }
                    }
                }
            }
        }
        return LikelihoodEvaluation(total: rowLosses.reduce(0.0) { $0 + Double($1) }, outputGradient: grad)
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
