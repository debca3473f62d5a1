import Foundation
import VAExprsCore

/// Reads Cell Ranger's feature-barcode matrix `.h5` (Cell Ranger ≥ 3): the `matrix` group
/// holds `data`, `indices`, `indptr` and `shape` (genes × cells, compressed by cell, so
/// cells × genes in CSR), `barcodes`, and `features/{id,name,feature_type}`. Only features
/// of type "Gene Expression" are kept (antibody capture, CRISPR guides and the like are
/// dropped); genes are named by their `id`, as the 10x Matrix Market reader does.
package enum TenXH5 {
    /// True when `path` names an HDF5 `.h5` file (not `.h5ad`).
    package static func isTenXH5(_ path: String) -> Bool { path.lowercased().hasSuffix(".h5") }

    /// Reads the file; `featureType` nil keeps every feature.
    package static func read(_ path: String, featureType: String? = "Gene Expression") throws -> ExpressionMatrix {
        let file = try HDF5File(path)
        let layout = try self.layout(file, featureType: featureType)
        let matrix = try H5AD.readCompressed(
            file, group: "/matrix", rows: layout.barcodes.count, columns: layout.ids.count, byColumn: false)
        let values = layout.kept.count == layout.ids.count ? matrix : matrix.selectingColumns(layout.kept)
        return ExpressionMatrix(
            cellIDs: layout.barcodes, geneNames: layout.kept.map { layout.ids[$0] }, cells: .sparse(values))
    }

    /// The barcodes, every feature id, and the features kept (of `featureType`), checked.
    static func layout(_ file: HDF5File, featureType: String? = "Gene Expression") throws -> (
        barcodes: [String], ids: [String], kept: [Int]
    ) {
        let path = file.path
        guard file.exists("/matrix"), file.isGroup("/matrix") else {
            throw VAExprsError.badData(
                """
                \(path): no /matrix group, so not a Cell Ranger (≥ 3) feature-barcode matrix .h5; Cell Ranger 2 \
                files keep one group per genome: convert them with scanpy (sc.read_10x_h5(path).write_h5ad(...)) \
                or give the filtered_feature_bc_matrix folder
                """
            )
        }
        for name in ["data", "indices", "indptr", "shape", "barcodes", "features/id"]
        where !file.exists("/matrix/" + name) {
            throw file.bad("/matrix/" + name, "missing; not a complete Cell Ranger feature-barcode matrix")
        }
        let shape = try file.integers("/matrix/shape").map { Int($0) }
        guard shape.count == 2, shape[0] >= 0, shape[1] >= 0 else {
            throw file.bad("/matrix/shape", "\(shape) is not a genes × cells shape")
        }
        let (genes, cells) = (shape[0], shape[1])
        let barcodes = try file.strings("/matrix/barcodes")
        let ids = try file.strings("/matrix/features/id")
        guard barcodes.count == cells else {
            throw file.bad("/matrix/barcodes", "\(barcodes.count) barcodes, but shape says \(cells) cells")
        }
        guard ids.count == genes else {
            throw file.bad("/matrix/features/id", "\(ids.count) features, but shape says \(genes)")
        }
        guard genes > 0, cells > 0 else { throw file.bad("/matrix", "no \(genes == 0 ? "features" : "barcodes")") }
        var kept = Array(0..<genes)
        if let featureType, file.exists("/matrix/features/feature_type") {
            let types = try file.strings("/matrix/features/feature_type")
            guard types.count == genes else {
                throw file.bad("/matrix/features/feature_type", "\(types.count) values for \(genes) features")
            }
            kept = kept.filter { types[$0] == featureType }
            guard !kept.isEmpty else {
                throw file.bad(
                    "/matrix/features/feature_type",
                    "no feature is of type '\(featureType)' (types: \(Set(types).sorted().joined(separator: ", ")))")
            }
        }
        if let dup = DelimitedText.firstDuplicate(barcodes) {
            throw file.bad("/matrix/barcodes", "barcode '\(dup)' appears twice")
        }
        if let dup = DelimitedText.firstDuplicate(kept.map({ ids[$0] })) {
            throw file.bad("/matrix/features/id", "feature id '\(dup)' appears twice")
        }
        return (barcodes, ids, kept)
    }
}
