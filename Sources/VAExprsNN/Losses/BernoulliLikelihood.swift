import CKernels
import Foundation
import VAExprsCore

/// The original package's reconstruction loss: binary cross-entropy between min-max scaled
/// data x ∈ [0, 1] and sigmoid(logits), summed over genes (= n_genes × Keras' mean BCE).
/// Computed from logits: softplus(l) − x·l, with no clipping. The decoder mean is sigmoid(l).
/// It has no sampling model for continuous data, so `--decode sample` is refused.
package final class BernoulliLikelihood: Likelihood {
    package let spec: ComponentSpec
    package var parameters: [Parameter] { [] }
    package var defaultDecodeMode: DecodeMode { .mean }

    /// The Bernoulli (binary cross-entropy) likelihood.
    package init(spec: ComponentSpec) { self.spec = spec }

    package func build(features: Int, groups: Int, training: Matrix, context: CellContext, path: String) throws {}

    package func evaluate(output: Matrix, target: Matrix, context: CellContext, gradient: Bool, scale: Float)
        -> LikelihoodEvaluation
    {
        var grad = gradient ? Matrix(uninitializedRows: output.rows, columns: output.columns) : nil
        var elementLoss = [Float](unsafeUninitializedCapacity: output.storage.count) { _, count in
            count = output.storage.count
        }
        var rowLoss = [Float](repeating: 0, count: output.rows)
        let g = output.columns
        let blocks = WorkerPool.blocks(
            output.rows, parts: output.storage.count >= 1 << 14 ? WorkerPool.shared.threads : 1)
        output.storage.withUnsafeBufferPointer { l in
            target.storage.withUnsafeBufferPointer { x in
                elementLoss.withUnsafeMutableBufferPointer { loss in
                    rowLoss.withUnsafeMutableBufferPointer { rows in
                        withOptionalPointer(&grad) { dl in
                            WorkerPool.shared.run(parts: blocks.count) { part in
                                let r = blocks[part], offset = r.lowerBound * g
                                vaexprs_bernoulli_logits(
                                    l.baseAddress! + offset, x.baseAddress! + offset, loss.baseAddress! + offset,
                                    dl.map { $0 + offset }, Int64(r.count * g), scale)
                                // Each cell's loss summed in gene order, whichever thread has it.
                                vaexprs_row_sums_in_order(
                                    loss.baseAddress! + offset, rows.baseAddress! + r.lowerBound, Int64(r.count),
                                    Int64(g))
                            }
                        }
                    }
                }
            }
        }
        // Then over cells in order (independent of the thread split).
        let total = rowLoss.reduce(0.0) { $0 + Double($1) }
        return LikelihoodEvaluation(total: total, outputGradient: grad)
    }

    package func mean(output: Matrix, context: CellContext) -> Matrix {
        var m = output
        SigmoidActivation().apply(&m.storage)
        return m
    }

    package func sample(output: Matrix, context: CellContext, rng: inout SeededGenerator) throws -> Matrix {
        throw VAExprsError.usage(
            """
            \(parameter: "decode") sample: the bernoulli likelihood has no observation model for continuous \
            expression; use \(parameter: "decode") mean, or fit with \(parameter: "likelihood") gaussian
            """
        )
    }
}
