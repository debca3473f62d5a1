import Foundation
import VAExprsCore

/// openTSNE's t-SNE optimiser (Poličar et al. 2024), for a 2-D embedding: gradient
/// g_i = α Σ_j p_ij q_ij (y_i − y_j) − Σ_j q_ij² (y_i − y_j) / Z with q_ij = 1/(1 + |y_i − y_j|²)
/// and Z = Σ q (the factor 4 of the exact gradient is folded into the learning rate, as
/// openTSNE does); the repulsive sums by Barnes–Hut; updates with momentum and
/// delta-bar-delta gains (+0.2 when update and gradient differ in sign, else ×0.8 + 0.01), steps capped at
/// length 5, and the embedding re-centred after each step.
struct TSNEGradientDescent {
    let p: SparseRows
    let theta: Double
    var x: [Double]
    var y: [Double]
    private var updateX: [Double]
    private var updateY: [Double]
    private var gainX: [Double]
    private var gainY: [Double]

    static let minGain = 0.01
    static let maxStepNorm = 5.0

    init(p: SparseRows, initial: DoubleMatrix, theta: Double) {
        self.p = p
        self.theta = theta
        let n = initial.rows
        x = (0..<n).map { initial[$0, 0] }
        y = (0..<n).map { initial[$0, 1] }
        updateX = [Double](repeating: 0, count: n)
        updateY = updateX
        gainX = [Double](repeating: 1, count: n)
        gainY = gainX
    }

    /// Runs `iterations` steps with attraction scaled by `exaggeration`.
    mutating func run(iterations: Int, exaggeration: Double, learningRate: Double, momentum: Double) {
        let n = x.count
        var gradX = [Double](repeating: 0, count: n), gradY = gradX
        for _ in 0..<iterations {
            _ = gradient(exaggeration: exaggeration, gradX: &gradX, gradY: &gradY, evaluateKL: false)
            var meanX = 0.0, meanY = 0.0
            for i in 0..<n {
                step(&updateX[i], &gainX[i], gradX[i], learningRate, momentum)
                step(&updateY[i], &gainY[i], gradY[i], learningRate, momentum)
                let norm = (updateX[i] * updateX[i] + updateY[i] * updateY[i]).squareRoot()
                if norm > Self.maxStepNorm {
                    updateX[i] *= Self.maxStepNorm / norm
                    updateY[i] *= Self.maxStepNorm / norm
                }
                x[i] += updateX[i]
                y[i] += updateY[i]
                meanX += x[i]
                meanY += y[i]
            }
            meanX /= Double(n)
            meanY /= Double(n)
            for i in 0..<n {
                x[i] -= meanX
                y[i] -= meanY
            }
        }
    }

    @inline(__always) private func step(
        _ update: inout Double, _ gain: inout Double, _ g: Double, _ rate: Double, _ momentum: Double
    ) {
        let flipped = (update > 0) != (g > 0) || (update == 0) != (g == 0)
        gain = flipped ? gain + 0.2 : gain * 0.8 + Self.minGain
        update = momentum * update - rate * gain * g
    }

    /// KL(P ‖ Q) of the current embedding (Z by the same Barnes–Hut estimate).
    func klDivergence() -> Double {
        var gx = [Double](repeating: 0, count: x.count), gy = gx
        return gradient(exaggeration: 1, gradX: &gx, gradY: &gy, evaluateKL: true)
    }

    /// Fills the gradient; returns KL(P ‖ Q) when asked (else 0).
    func gradient(exaggeration: Double, gradX: inout [Double], gradY: inout [Double], evaluateKL: Bool) -> Double {
        let n = x.count
        let tree = x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                BarnesHutTree(x: xs.baseAddress!, y: ys.baseAddress!, n: n)
            }
        }
        // Fixed-size blocks, so partial sums (and the result) do not depend on the thread count.
        let blocks = WorkerPool.blocks(n, parts: (n + 255) / 256)
        var partialZ = [Double](repeating: 0, count: blocks.count)
        var partialKL = [Double](repeating: 0, count: blocks.count)
        var repulsionX = [Double](repeating: 0, count: n), repulsionY = repulsionX
        let theta = self.theta
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                gradX.withUnsafeMutableBufferPointer { gx in
                    gradY.withUnsafeMutableBufferPointer { gy in
                        repulsionX.withUnsafeMutableBufferPointer { rx in
                            repulsionY.withUnsafeMutableBufferPointer { ry in
                                partialZ.withUnsafeMutableBufferPointer { zs in
                                    partialKL.withUnsafeMutableBufferPointer { kls in
                                        p.rowStart.withUnsafeBufferPointer { starts in
                                            p.columns.withUnsafeBufferPointer { cols in
                                                p.values.withUnsafeBufferPointer { vals in
                                                    tree.nodes.withUnsafeBufferPointer { nodes in
                                                        tree.position.withUnsafeBufferPointer { position in
                                                            WorkerPool.shared.run(parts: blocks.count) { b in
                                                                let stack = UnsafeMutablePointer<Int32>.allocate(
                                                                    capacity: BarnesHutTree.stackCapacity)
                                                                defer { stack.deallocate() }
                                                                var z = 0.0, kl = 0.0
                                                                for i in blocks[b] {
                                                                    var force = (0.0, 0.0)
                                                                    z += BarnesHutTree.repulsion(
                                                                        nodes: nodes, position: position[i], x: xs[i],
                                                                        y: ys[i], theta: theta,
                                                                        stack: stack, force: &force)
                                                                    rx[i] = force.0
                                                                    ry[i] = force.1
                                                                    var ax = 0.0, ay = 0.0
                                                                    for e in starts[i]..<starts[i + 1] {
                                                                        let j = Int(cols[e])
                                                                        let dx = xs[i] - xs[j], dy = ys[i] - ys[j]
                                                                        let q = 1 / (1 + dx * dx + dy * dy)
                                                                        let pq = vals[e] * q
                                                                        ax += pq * dx
                                                                        ay += pq * dy
                                                                        if evaluateKL && vals[e] > 0 {
                                                                            kl += vals[e] * log(vals[e] / q)
                                                                        }
                                                                    }
                                                                    gx[i] = exaggeration * ax
                                                                    gy[i] = exaggeration * ay
                                                                }
                                                                zs[b] = z
                                                                kls[b] = kl
                                                            }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let z = partialZ.reduce(0, +)
        for i in 0..<n {
            gradX[i] -= repulsionX[i] / z
            gradY[i] -= repulsionY[i] / z
        }
        // KL = Σ p log(p / (q / Z)) = Σ p log(p / q) + log Z (Σ p = 1).
        return evaluateKL ? partialKL.reduce(0, +) + log(z) : 0
    }
}
