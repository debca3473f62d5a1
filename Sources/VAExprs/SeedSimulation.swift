/// The simulated design of the original package's example (`?fit_vae`, vignette "VAE"),
/// made in-process with our seeded generator (so the numbers differ from R's and from
/// `shared/data/seedsim`, the design is the same): base expression N(5, 5) per gene and
/// cell; in group i's cells, genes 100(i−1)+1 … 100i become genes 1…100 plus one N(6, 10)
/// shift per gene; negatives set to 0; rounded to 4 decimals.
package enum SeedSimulation {
    /// The matrix (`cell1…` × `gene1…`) and each cell's group label (`group1…`).
    package static func make(
        groups: Int = 3, cellsPerGroup: Int = 100, genes: Int = 1000,
        markerGenes: Int = 100, seed: UInt64 = 1
    ) -> (data: ExpressionMatrix, labels: [String]) {
        precondition(groups * markerGenes <= genes, "marker blocks must fit in the genes")
        var rng = SeededGenerator(seed: seed)
        let cells = groups * cellsPerGroup
        var x = Matrix(rows: cells, columns: genes)
        for i in 0..<cells { for j in 0..<genes { x[i, j] = Float(5 + 5 * rng.nextNormal()) } }
        for g in 0..<groups {
            let shift = (0..<markerGenes).map { _ in Float(6 + 10 * rng.nextNormal()) }
            for i in (g * cellsPerGroup)..<((g + 1) * cellsPerGroup) {
                for k in 0..<markerGenes { x[i, g * markerGenes + k] = x[i, k] + shift[k] }
            }
        }
        for i in x.storage.indices {
            let v = max(x.storage[i], 0)
            x.storage[i] = (v * 10_000).rounded() / 10_000
        }
        let data = ExpressionMatrix(
            cellIDs: (1...cells).map { "cell\($0)" },
            geneNames: (1...genes).map { "gene\($0)" }, values: x)
        return (data, (0..<cells).map { "group\($0 / cellsPerGroup + 1)" })
    }
}
