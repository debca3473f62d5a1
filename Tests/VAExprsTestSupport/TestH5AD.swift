import Foundation
import VAExprsIO

/// Small `.h5ad` files written array by array, so that tests can give readers inconsistent
/// or unusual contents that anndata would never write.
public enum TestH5AD {
    /// Writes an `.h5ad` whose X is the given compressed arrays (possibly inconsistent), with
    /// cells `c0…` and genes `g0…`, and returns its path.
    @discardableResult
    public static func write(
        _ path: String, cells: Int, genes: Int, indptr: [Int64], indices: [Int32], data: [Float],
        shape: [Int64]? = nil, encoding: String = "csr_matrix", float64Data: [Double]? = nil
    ) throws -> String {
        try? FileManager.default.removeItem(atPath: path)  // the writer creates files exclusively
        let file = try HDF5Writer(creating: path)
        try file.createGroup("/X")
        try file.setAttribute("/X", "encoding-type", encoding)
        try file.setAttribute("/X", "shape", integers: shape ?? [Int64(cells), Int64(genes)])
        if let float64Data {
            let d = try HDF5Writer.GrowingDataset(file, "/X/data", kind: .float64, columns: 1)
            try d.append(float64Data)
            d.close()
        } else {
            let d = try HDF5Writer.GrowingDataset(file, "/X/data", kind: .float32, columns: 1)
            try d.append(data)
            d.close()
        }
        let i = try HDF5Writer.GrowingDataset(file, "/X/indices", kind: .int32, columns: 1)
        try i.append(indices)
        i.close()
        let p = try HDF5Writer.GrowingDataset(file, "/X/indptr", kind: .int64, columns: 1)
        try p.append(indptr)
        p.close()
        for (group, ids) in [("/obs", (0..<cells).map { "c\($0)" }), ("/var", (0..<genes).map { "g\($0)" })] {
            try file.createGroup(group)
            try file.setAttribute(group, "_index", "_index")
            try file.writeStrings(group + "/_index", ids)
        }
        try file.close()
        return path
    }
}
