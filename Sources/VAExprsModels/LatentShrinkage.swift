import VAExprsCore

/// How far `generate` keeps its latent draws from each label group's centre: a draw z of a
/// group becomes c + factor · (z − c), with c the mean of the group's training latent means.
/// A factor below 1 removes part of the variation the latent space adds within a label, which
/// on data without structure inside a label is noise the encoder fitted (issue 31,
/// `docs/realism.md`). `fit` chooses the factor on its validation cells (the factor whose model
/// gives them the highest marginal likelihood) and re-estimates the likelihood's noise and the
/// output offsets at it. Absent in model files before 0.13 and in fits without validation cells.
package struct LatentShrinkage: Codable, Sendable, Equatable {
    /// One label group's centre: the mean of its training cells' latent means.
    package struct Centre: Codable, Sendable, Equatable {
        /// The label group's key (`all` for a plain VAE), as in the stored latent mixtures.
        package var label: String
        /// The centre, one value per latent dimension.
        package var point: [Double]

        /// A group's centre.
        package init(label: String, point: [Double]) {
            self.label = label
            self.point = point
        }
    }

    /// One candidate factor and the validation cells' mean log marginal likelihood under it.
    package struct Score: Codable, Sendable, Equatable {
        /// The candidate factor.
        package var factor: Double
        /// Mean over the validation cells of log p(x | label), in nats per cell.
        package var logLikelihood: Double

        /// A candidate's score.
        package init(factor: Double, logLikelihood: Double) {
            self.factor = factor
            self.logLikelihood = logLikelihood
        }
    }

    /// The factors `fit` compares (0: every draw at its group's centre; 1: no shrinkage).
    package static let candidates: [Double] = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 1]

    /// The chosen factor, in [0, 1].
    package var factor: Double
    /// Every label group's centre.
    package var centres: [Centre]
    /// The candidates' scores on the validation cells, in the order compared.
    package var scores: [Score]

    /// A shrinkage from its parts.
    package init(factor: Double, centres: [Centre], scores: [Score]) {
        self.factor = factor
        self.centres = centres
        self.scores = scores
    }

    /// The centre of the group with key `label`, if any.
    package func centre(for label: String) -> [Double]? { centres.first { $0.label == label }?.point }

    /// `points` (rows of latent draws of the group `label`) drawn towards the group's centre;
    /// unchanged for a factor of 1 or a group without a centre.
    package func apply(to points: DoubleMatrix, label: String) -> DoubleMatrix {
        guard factor != 1, let centre = centre(for: label), centre.count == points.columns else { return points }
        var out = points
        for i in 0..<out.rows {
            for j in 0..<out.columns { out[i, j] = centre[j] + factor * (points[i, j] - centre[j]) }
        }
        return out
    }

    /// Whether the factor lies in [0, 1], every centre has `dimension` finite values and no
    /// label appears twice.
    package func isConsistent(dimension: Int) -> Bool {
        factor >= 0 && factor <= 1 && Set(centres.map(\.label)).count == centres.count
            && centres.allSatisfy { $0.point.count == dimension && $0.point.allSatisfy(\.isFinite) }
    }
}
