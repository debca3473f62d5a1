import Foundation
import VAExprsCore

/// Batch normalisation with Keras' defaults (momentum 0.99, ε = 0.001, γ = 1, β = 0):
/// batch statistics in training (biased variance), moving averages at inference.
/// In data-parallel training the statistics are those of the whole global batch (sums over
/// every process), and so are the sums the input gradient needs.
/// Spec: `batchnorm[:momentum=0.99][:epsilon=0.001]`.
package final class BatchNormalization: BatchShareAware {
    package let spec: ComponentSpec
    package var computesInputGradient = true
    let momentum: Float
    let epsilon: Float
    private var gamma: Parameter!
    private var beta: Parameter!
    private var movingMean: Parameter!
    private var movingVariance: Parameter!
    private var width = 0
    private var normalized = Matrix(rows: 0, columns: 0)
    private var inverseStd: [Float] = []
    package var batchShare: (any BatchShare)?

    /// A batch-normalisation layer.
    package init(spec: ComponentSpec, momentum: Double, epsilon: Double) throws {
        guard momentum >= 0 && momentum < 1, epsilon > 0 else {
            throw VAExprsError.usage("\(spec.source): batchnorm needs momentum in [0, 1) and epsilon > 0")
        }
        self.spec = spec
        self.momentum = Float(momentum)
        self.epsilon = Float(epsilon)
    }

    package var parameters: [Parameter] { [gamma, beta].compactMap { $0 } }
    package var buffers: [Parameter] { [movingMean, movingVariance].compactMap { $0 } }

    package func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int {
        width = inputWidth
        gamma = Parameter(path: path + ".gamma", shape: [width], value: .init(repeating: 1, count: width))
        beta = Parameter(path: path + ".beta", shape: [width], value: .init(repeating: 0, count: width))
        movingMean = Parameter(path: path + ".moving_mean", shape: [width], value: .init(repeating: 0, count: width))
        movingVariance = Parameter(
            path: path + ".moving_variance", shape: [width], value: .init(repeating: 1, count: width))
        return width
    }

    package func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        let n = input.rows
        var mean = [Float](repeating: 0, count: width)
        var variance = [Float](repeating: 0, count: width)
        if phase == .training, let share = batchShare {
            // Σx and Σx² over every process's rows, in double precision.
            var sums = [Double](repeating: 0, count: 2 * width)
            for i in 0..<n {
                for j in 0..<width {
                    let v = Double(input[i, j])
                    sums[j] += v
                    sums[width + j] += v * v
                }
            }
            share.sum(&sums)
            let total = Double(share.globalCount)
            for j in 0..<width {
                let m = sums[j] / total
                mean[j] = Float(m)
                variance[j] = Float(max(sums[width + j] / total - m * m, 0))
                movingMean.value[j] = momentum * movingMean.value[j] + (1 - momentum) * mean[j]
                movingVariance.value[j] = momentum * movingVariance.value[j] + (1 - momentum) * variance[j]
            }
        } else if phase == .training {
            for i in 0..<n { for j in 0..<width { mean[j] += input[i, j] } }
            for j in 0..<width { mean[j] /= Float(n) }
            for i in 0..<n {
                for j in 0..<width {
                    let d = input[i, j] - mean[j]
                    variance[j] += d * d
                }
            }
            for j in 0..<width {
                variance[j] /= Float(n)
                movingMean.value[j] = momentum * movingMean.value[j] + (1 - momentum) * mean[j]
                movingVariance.value[j] = momentum * movingVariance.value[j] + (1 - momentum) * variance[j]
            }
        } else {
            mean = movingMean.value
            variance = movingVariance.value
        }
        let invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        var xhat = Matrix(rows: n, columns: width)
        var out = Matrix(rows: n, columns: width)
        for i in 0..<n {
            for j in 0..<width {
                let h = (input[i, j] - mean[j]) * invStd[j]
                xhat[i, j] = h
                out[i, j] = gamma.value[j] * h + beta.value[j]
            }
        }
        if phase == .training {
            normalized = xhat
            inverseStd = invStd
        }
        return out
    }

    package func backward(_ outputGradient: Matrix) -> Matrix {
        let n = outputGradient.rows
        var dGamma = [Float](repeating: 0, count: width)
        var dBeta = [Float](repeating: 0, count: width)
        for i in 0..<n {
            for j in 0..<width {
                dGamma[j] += outputGradient[i, j] * normalized[i, j]
                dBeta[j] += outputGradient[i, j]
            }
        }
        gamma.gradient = dGamma
        beta.gradient = dBeta
        guard computesInputGradient else { return Matrix(rows: 0, columns: 0) }
        // dx = γ/(N σ) · (N dy − Σdy − x̂ Σ(dy x̂)), the sums over the whole (global) batch.
        var sumDy = dBeta, sumDyXhat = dGamma
        var fn = Float(n)
        if let share = batchShare {
            var sums = (dBeta + dGamma).map(Double.init)
            share.sum(&sums)
            sumDy = sums[..<width].map { Float($0) }
            sumDyXhat = sums[width...].map { Float($0) }
            fn = Float(share.globalCount)
        }
        var dx = Matrix(rows: n, columns: width)
        for i in 0..<n {
            for j in 0..<width {
                let scale = gamma.value[j] * inverseStd[j] / fn
                dx[i, j] = scale * (fn * outputGradient[i, j] - sumDy[j] - normalized[i, j] * sumDyXhat[j])
            }
        }
        return dx
    }
}
