/// A Gaussian with a diagonal covariance fitted to the latent means.
struct DiagonalGaussian: FittedLatentDistribution {
    let mean: [Double]
    let sd: [Double]
    var summary: String { "diagonal Gaussian, \(mean.count) dims" }

    func sample(count: Int, rng: inout SeededGenerator) -> DoubleMatrix {
        var out = DoubleMatrix(rows: count, columns: mean.count)
        for i in 0..<count { for j in mean.indices { out[i, j] = mean[j] + sd[j] * rng.nextNormal() } }
        return out
    }
}

struct DiagonalGaussianSampler: LatentSampler {
    let spec: ComponentSpec

    func fit(
        _ points: DoubleMatrix, label: String?, rng: inout SeededGenerator
    ) throws -> any FittedLatentDistribution {
        guard points.rows >= 2 else {
            throw VAExprsError.usage("{{NAME}} needs at least 2 points\(label.map { " for label '\($0)'" } ?? "")")
        }
        let n = Double(points.rows)
        let mean = (0..<points.columns).map { j in (0..<points.rows).reduce(0.0) { $0 + points[$1, j] } / n }
        let sd = (0..<points.columns).map { j in
            let squares = (0..<points.rows).reduce(0.0) { $0 + (points[$1, j] - mean[j]) * (points[$1, j] - mean[j]) }
            return (squares / (n - 1)).squareRoot()
        }
        return DiagonalGaussian(mean: mean, sd: sd)
    }
}

let component = ExportedComponent(
    "{{NAME}}", "diagonal Gaussian fitted to the latent means", .latentSampler { DiagonalGaussianSampler(spec: $0) })
