//! Bytes on disk: each compressed network written in a small binary format of its own, so that
//! its size is the length of real bytes (read back by the decoders below, which the tests use),
//! not a product computed from a parameter count. Little-endian; every format starts with a
//! four-byte tag and the number of layers, then each layer's shape.
//!
//! - `KDF4` (dense f32): per layer the weights (inputs × outputs) and the biases, 4 bytes each.
//! - `KDSP` (sparse f32, compressed sparse rows): per layer the non-zero weights' count, each
//!   row's start (u32), each non-zero weight's column (u16) and value (f32), then the biases: 6
//!   bytes per non-zero weight, so a pruned network is smaller on disk only once fewer than about
//!   two thirds of its weights remain.
//! - `KDI8` (int8): per layer its input scale, its per-neuron weight scales and biases (f32), and
//!   the weights (i8).

use ndarray::{Array1, Array2};

use super::quantized::{QuantizedLayer, QuantizedMlp};
use crate::error::{KdError, Result};
use crate::network::{Activation, Dense, Mlp};

const DENSE: &[u8; 4] = b"KDF4";
const SPARSE: &[u8; 4] = b"KDSP";
const INT8: &[u8; 4] = b"KDI8";

fn put_u32(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_le_bytes());
}

fn put_f32(out: &mut Vec<u8>, v: f32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn header(tag: &[u8; 4], layers: usize, activation: Activation) -> Vec<u8> {
    let mut out = tag.to_vec();
    put_u32(&mut out, layers);
    out.push(match activation {
        Activation::Relu => 0,
        Activation::Tanh => 1,
    });
    out
}

/// The dense f32 file of `network`.
pub fn dense(network: &Mlp) -> Vec<u8> {
    let mut out = header(DENSE, network.layers.len(), network.activation);
    for layer in &network.layers {
        put_u32(&mut out, layer.weights.nrows());
        put_u32(&mut out, layer.weights.ncols());
        layer.weights.iter().chain(&layer.bias).for_each(|&v| put_f32(&mut out, v));
    }
    out
}

/// The sparse f32 file of `network` (its zero weights are not written).
pub fn sparse(network: &Mlp) -> Result<Vec<u8>> {
    let mut out = header(SPARSE, network.layers.len(), network.activation);
    for layer in &network.layers {
        let (inputs, outputs) = layer.weights.dim();
        if outputs > usize::from(u16::MAX) + 1 {
            return Err(KdError::Internal(format!("{outputs} columns do not fit the sparse format's u16 indices")));
        }
        put_u32(&mut out, inputs);
        put_u32(&mut out, outputs);
        let nonzero: Vec<(usize, usize, f32)> =
            layer.weights.indexed_iter().filter(|(_, &w)| w != 0.0).map(|((r, c), &w)| (r, c, w)).collect();
        put_u32(&mut out, nonzero.len());
        let mut start = 0;
        for row in 0..inputs {
            put_u32(&mut out, start);
            start += nonzero.iter().filter(|(r, _, _)| *r == row).count();
        }
        put_u32(&mut out, start);
        nonzero.iter().for_each(|&(_, c, _)| out.extend_from_slice(&(c as u16).to_le_bytes()));
        nonzero.iter().for_each(|&(_, _, w)| put_f32(&mut out, w));
        layer.bias.iter().for_each(|&b| put_f32(&mut out, b));
    }
    Ok(out)
}

/// The int8 file of `network`.
pub fn int8(network: &QuantizedMlp) -> Vec<u8> {
    let mut out = header(INT8, network.layers.len(), network.activation);
    for layer in &network.layers {
        put_u32(&mut out, layer.inputs);
        put_u32(&mut out, layer.outputs);
        put_f32(&mut out, layer.input_scale);
        layer.weight_scales.iter().chain(&layer.bias).for_each(|&v| put_f32(&mut out, v));
        out.extend(layer.weights.iter().map(|&w| w as u8));
    }
    out
}

/// Reads the files back (the tests check that the bytes hold the network).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| KdError::Internal("the network file ends early".into()))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn u32(&mut self) -> Result<usize> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    fn f32(&mut self) -> Result<f32> {
        let b = self.take(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32s(&mut self, n: usize) -> Result<Vec<f32>> {
        (0..n).map(|_| self.f32()).collect()
    }
    fn header(&mut self, tag: &[u8; 4]) -> Result<(usize, Activation)> {
        if self.take(4)? != tag {
            return Err(KdError::Internal("not a network file of this kind".into()));
        }
        let layers = self.u32()?;
        let activation = if self.take(1)?[0] == 0 { Activation::Relu } else { Activation::Tanh };
        Ok((layers, activation))
    }
    fn shape(&mut self) -> Result<(usize, usize)> {
        let (inputs, outputs) = (self.u32()?, self.u32()?);
        if inputs.saturating_mul(outputs) > self.bytes.len() {
            return Err(KdError::Internal("a layer larger than its file".into()));
        }
        Ok((inputs, outputs))
    }
    fn done<T>(&self, value: T) -> Result<T> {
        if self.at == self.bytes.len() {
            Ok(value)
        } else {
            Err(KdError::Internal("bytes after the last layer".into()))
        }
    }
}

fn dense_layer(inputs: usize, outputs: usize, weights: Vec<f32>, bias: Vec<f32>) -> Result<Dense> {
    Ok(Dense {
        weights: Array2::from_shape_vec((inputs, outputs), weights).map_err(|e| KdError::Internal(e.to_string()))?,
        bias: Array1::from(bias),
    })
}

/// The network of a [`dense`] file.
pub fn read_dense(bytes: &[u8]) -> Result<Mlp> {
    let mut r = Reader { bytes, at: 0 };
    let (count, activation) = r.header(DENSE)?;
    let mut layers = Vec::new();
    for _ in 0..count {
        let (inputs, outputs) = r.shape()?;
        let weights = r.f32s(inputs * outputs)?;
        layers.push(dense_layer(inputs, outputs, weights, r.f32s(outputs)?)?);
    }
    r.done(Mlp { layers, activation })
}

/// The network of a [`sparse`] file.
pub fn read_sparse(bytes: &[u8]) -> Result<Mlp> {
    let mut r = Reader { bytes, at: 0 };
    let (count, activation) = r.header(SPARSE)?;
    let mut layers = Vec::new();
    for _ in 0..count {
        let (inputs, outputs) = r.shape()?;
        let nonzero = r.u32()?;
        let starts: Vec<usize> = (0..=inputs).map(|_| r.u32()).collect::<Result<_>>()?;
        let columns: Vec<usize> =
            r.take(2 * nonzero)?.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]) as usize).collect();
        let values = r.f32s(nonzero)?;
        let mut weights = vec![0.0; inputs * outputs];
        for row in 0..inputs {
            for k in starts[row]..starts[row + 1].min(nonzero) {
                let column = columns[k].min(outputs.saturating_sub(1));
                weights[row * outputs + column] = values[k];
            }
        }
        layers.push(dense_layer(inputs, outputs, weights, r.f32s(outputs)?)?);
    }
    r.done(Mlp { layers, activation })
}

/// The network of an [`int8`] file.
pub fn read_int8(bytes: &[u8]) -> Result<QuantizedMlp> {
    let mut r = Reader { bytes, at: 0 };
    let (count, activation) = r.header(INT8)?;
    let mut layers = Vec::new();
    for _ in 0..count {
        let (inputs, outputs) = r.shape()?;
        let input_scale = r.f32()?;
        let weight_scales = r.f32s(outputs)?;
        let bias = r.f32s(outputs)?;
        let weights = r.take(inputs * outputs)?.iter().map(|&b| b as i8).collect();
        layers.push(QuantizedLayer { inputs, outputs, weights, weight_scales, input_scale, bias });
    }
    r.done(QuantizedMlp { layers, activation })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn every_file_reads_back_to_the_same_network() {
        let mut rng = Rng::new(2);
        let mut network = Mlp::new(&[5, 12, 7, 3], Activation::Tanh, &mut rng).unwrap();
        assert_eq!(read_dense(&dense(&network)).unwrap(), network);
        assert_eq!(dense(&network).len(), 9 + 4 * network.parameter_count() + 8 * 3);
        // prune most weights: the sparse file holds exactly the others
        for layer in &mut network.layers {
            layer.weights.mapv_inplace(|w| if w.abs() > 0.5 { w } else { 0.0 });
        }
        let file = sparse(&network).unwrap();
        assert_eq!(read_sparse(&file).unwrap(), network);
        let nonzero: usize = network.layers.iter().map(|l| l.weights.iter().filter(|&&w| w != 0.0).count()).sum();
        let rows: usize = network.layers.iter().map(|l| l.weights.nrows() + 1).sum();
        assert_eq!(file.len(), 9 + 12 * 3 + 4 * rows + 6 * nonzero + 4 * (12 + 7 + 3));
        let x = Array2::from_shape_fn((10, 5), |_| rng.normal() as f32);
        let q = QuantizedMlp::quantize(&network, x.view()).unwrap();
        assert_eq!(read_int8(&int8(&q)).unwrap(), q);
        // one byte per weight, and three floats per neuron
        assert_eq!(int8(&q).len(), 9 + 8 * 3 + 4 * 3 + (5 * 12 + 7 * 12 + 7 * 3) + 8 * (12 + 7 + 3));
    }

    #[test]
    fn a_damaged_file_is_an_error() {
        let network = Mlp::new(&[2, 3, 2], Activation::Relu, &mut Rng::new(1)).unwrap();
        let file = dense(&network);
        assert!(read_dense(&file[..file.len() - 1]).is_err());
        assert!(read_sparse(&file).is_err());
        let mut longer = file.clone();
        longer.push(0);
        assert!(read_dense(&longer).is_err());
    }
}
