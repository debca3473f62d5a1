import VAExprsCore

/// Per-label offsets on the decoder's outputs, estimated at the end of `fit` with the network
/// held (`OutputOffsetEstimating`) and added by `generate` before it draws, so that each label's
/// generated gene means are the training cells' (the decoder alone shrinks a label's marker
/// genes towards the overall mean). Absent in model files before 0.11 and for likelihoods
/// without offsets (`bernoulli`; the count likelihoods before 0.13).
package struct StoredOutputOffsets: Codable, Sendable, Equatable {
    /// One label group's offsets: `label` is the group's key (`all` for a plain VAE), as in
    /// the stored latent mixtures.
    package struct Group: Codable, Sendable, Equatable {
        /// The label group's key.
        package var label: String
        /// One offset per gene, added to the decoder's first output per gene.
        package var offsets: [Float]

        /// A group's offsets.
        package init(label: String, offsets: [Float]) {
            self.label = label
            self.offsets = offsets
        }
    }

    /// The label groups with offsets (groups with too few training cells have none).
    package var groups: [Group]

    /// Offsets of these groups.
    package init(groups: [Group]) { self.groups = groups }

    /// The offsets of the group with key `label`, if any.
    package func offsets(for label: String) -> [Float]? { groups.first { $0.label == label }?.offsets }

    /// Whether every group has one finite offset per gene and no label appears twice.
    package func isConsistent(features: Int) -> Bool {
        !groups.isEmpty && Set(groups.map(\.label)).count == groups.count
            && groups.allSatisfy { $0.offsets.count == features && $0.offsets.allSatisfy(\.isFinite) }
    }

    /// The median absolute offset over every group and gene (what `inspect` and `fit` report).
    package var medianMagnitude: Double {
        let all = groups.flatMap { $0.offsets.map { abs(Double($0)) } }.sorted()
        return all.isEmpty ? 0 : all[all.count / 2]
    }
}
