;; Area averaging by whole factors, fused with normalisation: packed RGB rows in, CHW float32 out.
;; Compiled to area_average.wasm by scripts/build_wasm.mjs; area_average.ts loads and drives it.
;;
;; For each output row, the fy input rows are summed column by column into 16-bit lanes, sixteen
;; bytes at a time (SIMD: widen, add); each output pixel then sums fx of those column sums per
;; channel and is scaled and shifted in float64, as the TypeScript fallback does, so both give the
;; same float32 values. 16-bit lanes hold the sum of up to 257 rows of bytes (fy <= 257).
(module
  (memory (export "memory") 1)

  ;; src: packed RGB rows, width * 3 bytes each. acc: scratch of width * 3 16-bit sums.
  ;; out: 3 planes of (width / fx) x (height / fy) float32, R then G then B.
  ;; Output value of channel c: sum * scale_c + offset_c.
  (func (export "area_average")
    (param $src i32) (param $width i32) (param $height i32) (param $fx i32) (param $fy i32)
    (param $acc i32) (param $out i32)
    (param $scaleR f64) (param $scaleG f64) (param $scaleB f64)
    (param $offsetR f64) (param $offsetG f64) (param $offsetB f64)
    (local $rowBytes i32) (local $vectorBytes i32) (local $w i32) (local $h i32) (local $planeBytes i32)
    (local $oy i32) (local $row i32) (local $i i32) (local $q i32) (local $dy i32)
    (local $v v128) (local $lo v128) (local $hi v128)
    (local $sum i32) (local $ox i32) (local $p i32) (local $blockEnd i32) (local $o i32)
    (local $r i32) (local $g i32) (local $b i32)
    (local.set $rowBytes (i32.mul (local.get $width) (i32.const 3)))
    (local.set $vectorBytes (i32.and (local.get $rowBytes) (i32.const -16)))
    (local.set $w (i32.div_u (local.get $width) (local.get $fx)))
    (local.set $h (i32.div_u (local.get $height) (local.get $fy)))
    (local.set $planeBytes (i32.mul (i32.mul (local.get $w) (local.get $h)) (i32.const 4)))
    (local.set $o (local.get $out))
    (local.set $oy (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $h)))
        (local.set $row
          (i32.add (local.get $src) (i32.mul (i32.mul (local.get $oy) (local.get $fy)) (local.get $rowBytes))))

        ;; Column sums over the block's fy rows, sixteen bytes at a time.
        (local.set $i (i32.const 0))
        (block $vectorsDone
          (loop $vectors
            (br_if $vectorsDone (i32.ge_u (local.get $i) (local.get $vectorBytes)))
            (local.set $q (i32.add (local.get $row) (local.get $i)))
            (local.set $v (v128.load align=1 (local.get $q)))
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
            (local.set $dy (i32.const 1))
            (block $stackDone
              (loop $stack
                (br_if $stackDone (i32.ge_u (local.get $dy) (local.get $fy)))
                (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
                (local.set $v (v128.load align=1 (local.get $q)))
                (local.set $lo (i16x8.add (local.get $lo) (i16x8.extend_low_i8x16_u (local.get $v))))
                (local.set $hi (i16x8.add (local.get $hi) (i16x8.extend_high_i8x16_u (local.get $v))))
                (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
                (br $stack)))
            (v128.store align=1 (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))) (local.get $lo))
            (v128.store offset=16 align=1 (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))) (local.get $hi))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vectors)))

        ;; The bytes left over at the end of the row, one at a time.
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
            (local.set $sum (i32.const 0))
            (local.set $q (i32.add (local.get $row) (local.get $i)))
            (local.set $dy (i32.const 0))
            (block $columnDone
              (loop $column
                (br_if $columnDone (i32.ge_u (local.get $dy) (local.get $fy)))
                (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $q))))
                (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
                (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
                (br $column)))
            (i32.store16 (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))) (local.get $sum))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $tail)))

        ;; Each output pixel: fx column sums per channel, scaled and shifted.
        (local.set $p (local.get $acc))
        (local.set $ox (i32.const 0))
        (block $pixelsDone
          (loop $pixels
            (br_if $pixelsDone (i32.ge_u (local.get $ox) (local.get $w)))
            (local.set $r (i32.const 0))
            (local.set $g (i32.const 0))
            (local.set $b (i32.const 0))
            (local.set $blockEnd (i32.add (local.get $p) (i32.mul (local.get $fx) (i32.const 6))))
            (block $blockDone
              (loop $block
                (br_if $blockDone (i32.ge_u (local.get $p) (local.get $blockEnd)))
                (local.set $r (i32.add (local.get $r) (i32.load16_u (local.get $p))))
                (local.set $g (i32.add (local.get $g) (i32.load16_u offset=2 (local.get $p))))
                (local.set $b (i32.add (local.get $b) (i32.load16_u offset=4 (local.get $p))))
                (local.set $p (i32.add (local.get $p) (i32.const 6)))
                (br $block)))
            (f32.store (local.get $o)
              (f32.demote_f64 (f64.add (f64.mul (f64.convert_i32_u (local.get $r)) (local.get $scaleR)) (local.get $offsetR))))
            (f32.store (i32.add (local.get $o) (local.get $planeBytes))
              (f32.demote_f64 (f64.add (f64.mul (f64.convert_i32_u (local.get $g)) (local.get $scaleG)) (local.get $offsetG))))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $planeBytes) (i32.const 1)))
              (f32.demote_f64 (f64.add (f64.mul (f64.convert_i32_u (local.get $b)) (local.get $scaleB)) (local.get $offsetB))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $pixels)))

        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rows)))
  )
)
