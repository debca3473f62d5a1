import CKernels
import VAExprsCore

/// A fully connected layer y = f(x·W + b) with Keras' Glorot-uniform weights and zero bias;
/// bias and activation are applied in one fused pass after the `sgemm`.
///
/// Spec: `dense:UNITS[:ACTIVATION]` or `{"type": "dense", "units": 512, "activation": "relu"}`.
package final class Dense: SparseInputLayer, PrecisionSelectableLayer {
    package let spec: ComponentSpec
    package var computesInputGradient = true
    /// Output width.
    package let units: Int
    /// The fused activation (linear when none is given).
    package let activation: any Activation
    /// The precision of the dense products' inputs (training sets it; sparse inputs keep float32).
    package var productPrecision = ProductPrecision.float32
    private var weight: Parameter!
    private var bias: Parameter!
    private var inputWidth = 0
    private var cachedInput = Matrix(rows: 0, columns: 0)
    /// The transposed batch (genes × cells) of the last training forward when it was sparse
    /// (then `cachedInput` is empty).
    private var cachedSparseInput: SparseMatrix?
    private var cachedPreActivation: [Float] = []
    private var cachedOutput: [Float] = []

    /// The most units a dense layer may have.
    package static let maximumUnits = 1 << 20
    /// The most weights one dense layer may hold (2³¹ floats, 8 GiB).
    package static let maximumWeights = 1 << 31

    /// A dense layer of `units` outputs (at most `maximumUnits`) followed by `activation`.
    /// - Throws: `VAExprsError.usage` for a number of units out of range.
    package init(spec: ComponentSpec, units: Int, activation: any Activation) throws {
        guard units > 0, units <= Self.maximumUnits else {
            throw VAExprsError.usage(
                "\(spec.source): 'dense' units must be a whole number from 1 to \(Self.maximumUnits), got \(units)")
        }
        self.spec = spec
        self.units = units
        self.activation = activation
    }

    package var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    package func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int {
        let (weights, overflow) = inputWidth.multipliedReportingOverflow(by: units)
        guard inputWidth > 0, !overflow, weights <= Self.maximumWeights else {
            throw VAExprsError.usage(
                """
                \(spec.source): '\(path)' would hold \(inputWidth) × \(units) weights, more than the \
                \(Self.maximumWeights) one dense layer may have; use fewer units or select genes \
                (\(parameter: "topGenes"))
                """
            )
        }
        self.inputWidth = inputWidth
        let limit = (6.0 / Double(inputWidth + units)).squareRoot()
        var w = [Float](repeating: 0, count: inputWidth * units)
        for i in w.indices { w[i] = Float((rng.nextUniform() * 2 - 1) * limit) }
        weight = Parameter(path: path + ".weight", shape: [inputWidth, units], value: w)
        bias = Parameter(path: path + ".bias", shape: [units], value: [Float](repeating: 0, count: units))
        return units
    }

    package func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        let w = Matrix(rows: inputWidth, columns: units, storage: weight.value)
        // Bias first, then the product accumulated onto it (beta = 1): one pass fewer
        // than zero-filling (beta = 0) and adding the bias afterwards.
        var out = Matrix(uninitializedRows: input.rows, columns: units)
        out.storage.withUnsafeMutableBufferPointer { o in
            bias.value.withUnsafeBufferPointer { b in
                vaexprs_broadcast_rows(o.baseAddress, b.baseAddress, Int64(input.rows), Int64(units))
            }
        }
        BLAS.gemm(input, w, into: &out, beta: 1, precision: productPrecision)
        if phase == .training {
            cachedInput = input
            cachedSparseInput = nil
        }
        return activated(&out, phase: phase)
    }

    /// x·W + b over the stored entries of a CSR batch, cell by cell (threads split the cells,
    /// each output row summed in one order, so every thread count gives the same bits). In
    /// training the batch is also kept transposed (genes × cells) for the weight gradient.
    package func forward(sparse input: SparseMatrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        precondition(input.columns == inputWidth, "dense: \(input.columns) inputs, built for \(inputWidth)")
        var out = Matrix(uninitializedRows: input.rows, columns: units)
        let rows = input.rows
        let blocks = WorkerPool.blocks(
            rows, parts: input.storedCount * units >= 1 << 18 ? WorkerPool.shared.threads : 1)
        out.storage.withUnsafeMutableBufferPointer { o in
            bias.value.withUnsafeBufferPointer { b in
                vaexprs_broadcast_rows(o.baseAddress, b.baseAddress, Int64(rows), Int64(units))
            }
            input.withCSRPointers { rowStarts, genes, values in
                weight.value.withUnsafeBufferPointer { w in
                    WorkerPool.shared.run(parts: blocks.count) { part in
                        vaexprs_sparse_times_dense(
                            rowStarts, genes, values, Int64(blocks[part].lowerBound), Int64(blocks[part].upperBound),
                            w.baseAddress, Int64(units), o.baseAddress)
                    }
                }
            }
        }
        if phase == .training {
            cachedInput = Matrix(rows: 0, columns: 0)
            cachedSparseInput = input.transposed()
        }
        return activated(&out, phase: phase)
    }

    /// Applies the activation in place, keeping what `backward` needs in training.
    /// (`out` is taken inout so that its storage is the only reference and is changed in place.)
    private func activated(_ out: inout Matrix, phase: Phase) -> Matrix {
        let keepInput = activation.derivativeNeedsInput
        // copy only when the derivative needs it
        if phase == .training && keepInput { cachedPreActivation = out.storage }
        activation.apply(&out.storage)
        if phase == .training {
            cachedOutput = out.storage
            if !keepInput { cachedPreActivation = [] }
        }
        return out
    }

    package func backward(_ outputGradient: Matrix) -> Matrix {
        var delta = outputGradient
        activation.backward(
            input: activation.derivativeNeedsInput ? cachedPreActivation : cachedOutput,
            output: cachedOutput, gradient: &delta.storage)
        if let byGene = cachedSparseInput {
            weightGradient(byGene, delta.storage)
        } else {
            weight.gradient.withUnsafeMutableBufferPointer { dW in
                BLAS.gemm(
                    cachedInput, transposeA: true, delta, into: dW, rows: inputWidth, columns: units,
                    precision: productPrecision)
            }
        }
        delta.storage.withUnsafeBufferPointer { d in
            bias.gradient.withUnsafeMutableBufferPointer { s in
                vaexprs_column_sums(d.baseAddress, s.baseAddress, Int64(delta.rows), Int64(units))
            }
        }
        guard computesInputGradient else { return Matrix(rows: 0, columns: 0) }
        let w = Matrix(rows: inputWidth, columns: units, storage: weight.value)
        return BLAS.product(delta, w, transposeB: true, precision: productPrecision)
    }

    /// dW = xᵀ·delta from the transposed batch, gene by gene (`vaexprs_sparse_weight_gradient`),
    /// with the threads splitting the genes (each row summed in one order by one thread).
    private func weightGradient(_ byGene: SparseMatrix, _ delta: [Float]) {
        let blocks = WorkerPool.blocks(
            byGene.rows, parts: byGene.storedCount * units >= 1 << 18 ? WorkerPool.shared.threads : 1)
        byGene.withCSRPointers { geneStarts, cells, values in
            delta.withUnsafeBufferPointer { d in
                weight.gradient.withUnsafeMutableBufferPointer { dW in
                    WorkerPool.shared.run(parts: blocks.count) { part in
                        vaexprs_sparse_weight_gradient(
                            geneStarts, cells, values, Int64(blocks[part].lowerBound), Int64(blocks[part].upperBound),
                            d.baseAddress, Int64(units), dW.baseAddress)
                    }
                }
            }
        }
    }
}
