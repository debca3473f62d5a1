import VAExprsCore

extension Generator {
    /// `count` cells of each label group with at least `minimumCells` training cells, drawn as
    /// `generate` draws them by default (latent points from the model's mixtures, log-normal
    /// library sizes for a count model) up to the decoder: its outputs and the cells' likelihood
    /// context, before any output offsets. What `fit` estimates the per-label offsets on.
    package func calibrationDraws(count: Int, minimumCells: Int, seed: UInt64) throws -> [(
        key: String, output: Matrix, context: CellContext
    )] {
        let spec = GenerationOptions(count: count, seed: seed).sampler
        let sampler = try registry.makeLatentSampler(spec)
        var rng = SeededGenerator(seed: seed)
        let groups = labelGroups()
        let plan = LabelPlan(
            groups: groups, total: count * groups.count, cellsPerGroup: groups.map { _ in count },
            segments: groups.indices.map { ($0, count) })
        let library = model.preprocessing.modelsCounts ? try librarySizeDraws(plan, model: .logNormal) : nil
        var draws: [(key: String, output: Matrix, context: CellContext)] = []
        for (g, group) in groups.enumerated() where group.trainingRows.count >= minimumCells {
            let (distribution, _) = try latentDistribution(of: group, sampler: sampler, spec: spec, rng: &rng)
            let points = distribution.sample(count: count, rng: &rng)
            var z = Matrix(rows: count, columns: model.network.spec.latentDimension)
            for i in 0..<count { for j in 0..<z.columns { z[i, j] = Float(points[i, j]) } }
            let conditions = try model.conditions.map {
                try $0.encode([[String]](repeating: group.labels, count: count), source: "fit")
            }
            var context = CellContext(group: model.conditions == nil ? nil : [Int32](repeating: Int32(g), count: count))
            if let library { context.librarySize = (0..<count).map { _ in library.draw(group: g, rng: &rng) } }
            let output = model.network.decode(z, conditions: conditions, phase: .inference, rng: &rng)
            draws.append((group.key, output, context))
        }
        return draws
    }
}
