import VAExprsCore

extension Generator {
    /// `count` cells of each label group with at least `minimumCells` training cells, drawn as
    /// `generate` draws them by default (latent points from the model's mixtures, shrunk as the
    /// model says) up to the decoder, handed to `body` one label group at a time (so memory holds
    /// one group's outputs): the group's key, the decoder's outputs and the cells' likelihood
    /// context (their group), before any output offsets. What `fit` estimates the per-label
    /// offsets on; no library sizes are drawn (count models' offsets are on proportions).
    package func forEachCalibrationDraw(
        count: Int, minimumCells: Int, seed: UInt64,
        _ body: (_ key: String, _ output: Matrix, _ context: CellContext) throws -> Void
    ) throws {
        let spec = GenerationOptions(count: count, seed: seed).sampler
        let sampler = try registry.makeLatentSampler(spec)
        var rng = SeededGenerator(seed: seed)
        for (g, group) in labelGroups().enumerated() where group.trainingRows.count >= minimumCells {
            let (distribution, _) = try latentDistribution(of: group, sampler: sampler, spec: spec, rng: &rng)
            var points = distribution.sample(count: count, rng: &rng)
            if let shrinkage = model.latentShrinkage { points = shrinkage.apply(to: points, label: group.key) }
            var z = Matrix(rows: count, columns: model.network.spec.latentDimension)
            for i in 0..<count { for j in 0..<z.columns { z[i, j] = Float(points[i, j]) } }
            let conditions = try model.conditions.map {
                try $0.encode([[String]](repeating: group.labels, count: count), source: "fit")
            }
            let context = CellContext(group: model.conditions == nil ? nil : [Int32](repeating: Int32(g), count: count))
            try body(group.key, model.network.decode(z, conditions: conditions, phase: .inference, rng: &rng), context)
        }
    }
}
