import CVAExprsPluginABI
import Foundation

/// A `Likelihood` behind `vaexprs_likelihood_vtable` (ABI 2, with the cells' context).
///
/// ABI 2 trains no likelihood parameters and gives the decoder exactly one output per gene,
/// so a likelihood with trainable parameters, or one reading several outputs per gene (as
/// ZINB does), is refused when created. Its `data` (scaled values or counts) is read from an
/// instance made without settings when the plugin is exported. `build` runs when the first
/// batch shows the number of genes (and again if it changes), with that batch as `training`.
/// `sample` has no error channel: a draw that throws is logged and filled with NaN.
public enum LikelihoodExport {
    /// One likelihood made by `create`.
    final class Instance {
        let likelihood: any Likelihood
        private var builtFor: (genes: Int, groups: Int)?

        init(_ likelihood: any Likelihood) throws {
            let name = likelihood.spec.name
            guard likelihood.outputWidth(features: 1) == 1 else {
                throw VAExprsError.usage(
                    """
                    \(name) reads \(likelihood.outputWidth(features: 1)) decoder outputs per gene; plugin \
                    likelihoods read one (ABI 2)
                    """
                )
            }
            try likelihood.build(
                features: 1, groups: 0, training: Matrix(rows: 1, columns: 1), context: .none, path: name)
            guard likelihood.parameters.isEmpty else {
                throw VAExprsError.usage(
                    "\(name) has trainable parameters, which plugin likelihoods cannot have (ABI 2 trains none)")
            }
            self.likelihood = likelihood
        }

        /// Builds for `genes` genes and `groups` groups unless already built so.
        func prepare(genes: Int, groups: Int, training: Matrix, context: CellContext) {
            if let built = builtFor, built == (genes, groups) { return }
            do {
                try likelihood.build(
                    features: genes, groups: groups, training: training, context: context, path: likelihood.spec.name)
                builtFor = (genes, groups)
            } catch {
                PluginHost.log("\(likelihood.spec.name): \(error)")
            }
        }
    }

    /// The context the host passed, as the core's.
    static func context(_ pointer: UnsafePointer<vaexprs_cell_context>?, rows: Int) -> (CellContext, groups: Int) {
        guard let c = pointer?.pointee else { return (.none, 0) }
        let context = CellContext(
            librarySize: c.library_size.map { BufferCopies.array($0, count: rows) },
            group: c.group.map { BufferCopies.array($0, count: rows) })
        return (context, Int(c.group_count))
    }

    static func evaluate(
        _ raw: UnsafeMutableRawPointer?, _ output: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?,
        _ rows: Int64, _ columns: Int64, _ cells: UnsafePointer<vaexprs_cell_context>?, _ scale: Float,
        _ total: UnsafeMutablePointer<Double>?, _ gradient: UnsafeMutablePointer<Float>?
    ) {
        let instance = PluginExport.instance(raw, as: Instance.self)
        let (n, genes) = (Int(rows), Int(columns))
        let (context, groups) = Self.context(cells, rows: n)
        let y = Matrix(rows: n, columns: genes, storage: BufferCopies.array(target, count: n * genes))
        instance.prepare(genes: genes, groups: groups, training: y, context: context)
        let x = Matrix(rows: n, columns: genes, storage: BufferCopies.array(output, count: n * genes))
        let result = instance.likelihood.evaluate(
            output: x, target: y, context: context, gradient: gradient != nil, scale: scale)
        total?.pointee = result.total
        if let g = result.outputGradient { BufferCopies.write(g.storage, to: gradient, limit: n * genes) }
    }

    static func mean(
        _ raw: UnsafeMutableRawPointer?, _ output: UnsafePointer<Float>?, _ rows: Int64, _ columns: Int64,
        _ cells: UnsafePointer<vaexprs_cell_context>?, _ mean: UnsafeMutablePointer<Float>?
    ) {
        let instance = PluginExport.instance(raw, as: Instance.self)
        let (n, genes) = (Int(rows), Int(columns))
        let (context, groups) = Self.context(cells, rows: n)
        let x = Matrix(rows: n, columns: genes, storage: BufferCopies.array(output, count: n * genes))
        instance.prepare(genes: genes, groups: groups, training: Matrix(rows: n, columns: genes), context: context)
        BufferCopies.write(instance.likelihood.mean(output: x, context: context).storage, to: mean, limit: n * genes)
    }

    static func sample(
        _ raw: UnsafeMutableRawPointer?, _ output: UnsafePointer<Float>?, _ rows: Int64, _ columns: Int64,
        _ cells: UnsafePointer<vaexprs_cell_context>?, _ out: UnsafeMutablePointer<Float>?, _ rng: OpaquePointer?
    ) {
        let instance = PluginExport.instance(raw, as: Instance.self)
        let (n, genes) = (Int(rows), Int(columns))
        let (context, groups) = Self.context(cells, rows: n)
        let x = Matrix(rows: n, columns: genes, storage: BufferCopies.array(output, count: n * genes))
        instance.prepare(genes: genes, groups: groups, training: Matrix(rows: n, columns: genes), context: context)
        var generator = PluginHost.generator(rng)
        do {
            BufferCopies.write(
                try instance.likelihood.sample(output: x, context: context, rng: &generator).storage, to: out,
                limit: n * genes)
        } catch {
            PluginHost.log("\(instance.likelihood.spec.name): cannot draw (\(error)); the draws are NaN")
            BufferCopies.write([Float](repeating: .nan, count: n * genes), to: out, limit: n * genes)
        }
    }

    static func vtable(slot: Int, component: ExportedComponent) -> UnsafeRawPointer {
        var data = VAEXPRS_LIKELIHOOD_SCALED
        if let declared = component.facts?.likelihoodData {
            if declared == .counts { data = VAEXPRS_LIKELIHOOD_COUNTS }
        } else if case .likelihood(let make) = component.factory,
            PluginExport.probe(
                component, "likelihood",
                because: "the kit reads what its data are from such an instance (or give facts: .likelihood(…))", make)?
                .data == .counts
        {
            data = VAEXPRS_LIKELIHOOD_COUNTS
        }
        let table = UnsafeMutablePointer<vaexprs_likelihood_vtable>.allocate(capacity: 1)
        table.initialize(
            to: vaexprs_likelihood_vtable(
                struct_size: UInt32(MemoryLayout<vaexprs_likelihood_vtable>.size),
                create: Slots.create[slot],
                destroy: PluginExport.destroy,
                evaluate: { raw, output, target, rows, columns, scale, total, gradient in
                    LikelihoodExport.evaluate(raw, output, target, rows, columns, nil, scale, total, gradient)
                },
                mean: { raw, output, rows, columns, mean in LikelihoodExport.mean(raw, output, rows, columns, nil, mean)
                },
                sample: { raw, output, rows, columns, out, rng in
                    LikelihoodExport.sample(raw, output, rows, columns, nil, out, rng)
                },
                data: UInt32(data),
                evaluate_cells: { raw, output, target, rows, columns, context, scale, total, gradient in
                    LikelihoodExport.evaluate(raw, output, target, rows, columns, context, scale, total, gradient)
                },
                mean_cells: { raw, output, rows, columns, context, mean in
                    LikelihoodExport.mean(raw, output, rows, columns, context, mean)
                },
                sample_cells: { raw, output, rows, columns, context, out, rng in
                    LikelihoodExport.sample(raw, output, rows, columns, context, out, rng)
                }))
        return UnsafeRawPointer(table)
    }
}
