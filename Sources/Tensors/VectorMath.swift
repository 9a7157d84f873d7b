// Vectorised exp, tanh and sigmoid on Swift SIMD vectors, and loads and stores of partial vectors.
//
// The Swift kernels (tanh and sigmoid, the GRU cell, additive attention) run their element-wise work on
// `FloatVector` (8 lanes) with these functions; their scalar twins call expf/tanhf and stay the
// reference they are tested against (VectorMathTests, and each kernel's naive-twin test). The softmax,
// layer norm, ReLU, bias gradients and Adam run in C (CKernels), whose exp equals `vectorExp` bit for bit.
//
// Accuracy (checked against Float64 in VectorMathTests on 10^5 points of [-90, 90]):
//   vectorExp:     relative error below 2e-7 on [-87.3, 88.3], gradual underflow below (subnormal results
//                  as expf gives them), exactly 0 below -104 (so exp(-inf) = 0); e^88.3 above 88.3.
//   vectorTanh:    relative error below 4e-7 everywhere (a rational approximation, no exp).
//   vectorSigmoid: relative error below 4e-7 for x > -87.3, tiny positive (subnormal) values below.
// The results do not depend on where a value sits in a vector, and the same inputs always give the same
// bits, so kernels built on them are deterministic.

/// The vector type of the element-wise kernels: 8 Float32 lanes (two SSE registers on baseline x86-64,
/// one AVX register when the compiler may use AVX, two NEON registers on arm64).
public typealias FloatVector = SIMD8<Float>

/// e^x for each lane (Cephes expf: x = n ln2 + r with |r| <= ln2/2, a degree-6 polynomial for e^r, then
/// 2^n applied as two factors 2^(n/2) 2^(n - n/2), so results below the smallest normal Float32 underflow
/// gradually, as expf's do). Lanes below -104 (including -infinity) give exactly 0; lanes above 88.3
/// give e^88.3.
@inlinable @inline(__always)
public func vectorExp(_ x: FloatVector) -> FloatVector {
    // (the generic pointwiseMin/Max and clamped are not inlined: compare and select instead)
    let tooSmall = x .< -104
    let clamped = x.replacing(with: -104, where: tooSmall).replacing(with: 88.3, where: x .> 88.3)
    // n = round(x / ln2) by the 1.5 * 2^23 trick: adding it leaves n in the low mantissa bits
    let magic: Float = 12_582_912
    let shifted = clamped * 1.442_695_04 + magic
    let n = shifted - magic
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p = FloatVector(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * (r * r) + r + 1
    // 2^n = 2^half 2^(n - half), each factor a normal number (n is in -150...127 after the clamp)
    let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(FloatVector(repeating: magic), to: SIMD8<Int32>.self)
    let half = nBits &>> 1
    let scale1 = unsafeBitCast((half &+ 127) &<< 23, to: FloatVector.self)
    let scale2 = unsafeBitCast((nBits &- half &+ 127) &<< 23, to: FloatVector.self)
    return (p * scale1 * scale2).replacing(with: 0, where: tooSmall)
}

/// tanh(x) for each lane, as the rational function Eigen uses (`generic_fast_tanh_float`): x P(x^2) / Q(x^2)
/// with P of degree 6 and Q of degree 3, on x clamped to +-7.9053 (where tanh rounds to +-1 in Float32),
/// and x itself for |x| < 0.0004. No exp, one division: about a third of the work of (1 - e) / (1 + e).
@inlinable @inline(__always)
public func vectorTanh(_ x: FloatVector) -> FloatVector {
    let bound: Float = 7.905_311_107_635_498_05
    let clamped = x.replacing(with: bound, where: x .> bound).replacing(with: -bound, where: x .< -bound)
    let z = clamped * clamped
    var p = FloatVector(repeating: -2.760_768_477_423_55e-16)
    p = p * z + 2.000_187_904_824_77e-13
    p = p * z - 8.604_671_522_137_35e-11
    p = p * z + 5.122_297_090_371_14e-8
    p = p * z + 1.485_722_357_179_79e-5
    p = p * z + 6.372_619_288_754_36e-4
    p = p * z + 4.893_524_558_917_86e-3
    p *= clamped
    var q = FloatVector(repeating: 1.198_258_394_667_02e-6)
    q = q * z + 1.185_347_056_866_54e-4
    q = q * z + 2.268_434_632_439_00e-3
    q = q * z + 4.893_525_185_543_85e-3
    let tiny = x .< 0.0004 .& x .> -0.0004
    return (p / q).replacing(with: x, where: tiny)
}

/// The logistic sigmoid 1 / (1 + e^-x) for each lane, as 1 / (1 + e) for x >= 0 and e / (1 + e) for
/// x < 0 with e = exp(-|x|) <= 1, so nothing overflows.
@inlinable @inline(__always)
public func vectorSigmoid(_ x: FloatVector) -> FloatVector {
    let negative = x .< 0
    let e = vectorExp(x.replacing(with: -x, where: .!negative))
    let d = 1 / (1 + e)
    return d.replacing(with: e * d, where: negative)
}

/// The largest lane.
@inlinable @inline(__always)
public func horizontalMax(_ x: FloatVector) -> Float {
    let a = x.lowHalf.replacing(with: x.highHalf, where: x.highHalf .> x.lowHalf)
    let b = a.lowHalf.replacing(with: a.highHalf, where: a.highHalf .> a.lowHalf)
    return Swift.max(b[0], b[1])
}

/// The sum of the lanes, always in the same order: ((0+4)+(2+6)) + ((1+5)+(3+7)).
@inlinable @inline(__always)
public func horizontalSum(_ x: FloatVector) -> Float {
    let a = x.lowHalf + x.highHalf
    let b = a.lowHalf + a.highHalf
    return b[0] + b[1]
}

/// Loads `count` (0...8) values into the first lanes; the others are `fill`.
@inlinable @inline(__always)
public func loadPartial(_ p: UnsafePointer<Float>, count: Int, fill: Float) -> FloatVector {
    var v = FloatVector(repeating: fill)
    for i in 0..<count { v[i] = p[i] }
    return v
}

/// Stores the first `count` (0...8) lanes.
@inlinable @inline(__always)
public func storePartial(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { p[i] = v[i] }
}

/// Loads 8 values (unaligned).
@inlinable @inline(__always)
public func loadVector(_ p: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
}

/// Stores 8 values (unaligned).
@inlinable @inline(__always)
public func storeVector(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
}
