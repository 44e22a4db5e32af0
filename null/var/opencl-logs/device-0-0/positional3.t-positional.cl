#pragma OPENCL EXTENSION cl_khr_fp64 : enable  
#pragma OPENCL EXTENSION cl_khr_fp16 : enable  
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable  
__kernel void positional(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *t, __global uchar *dt, __global uchar *freq, __global uchar *e, __global uchar *de, __private int n, __private int half, __private int tangent)
{
  ulong ul_0, ul_14, ul_11, ul_43, ul_26, ul_40, ul_4, ul_3, ul_19, ul_35, ul_2, ul_1; 
  long l_18, l_34, l_17, l_33, l_16, l_32, l_10, l_9, l_25, l_8, l_24, l_23; 
  float f_42, f_41, f_39, f_30, f_45, f_44, f_27, f_38, f_21, f_37, f_20; 
  int i_15, i_31, i_47, i_46, i_13, i_12, i_7, i_6, i_22, i_5; 
  double d_28, d_29, d_36; 

  // BLOCK 0
  ul_0  =  (ulong) t;
  ul_1  =  (ulong) dt;
  ul_2  =  (ulong) freq;
  ul_3  =  (ulong) e;
  ul_4  =  (ulong) de;
  i_5  =  get_global_size(0);
  i_6  =  get_global_id(0);
  // BLOCK 1 MERGES [0 5 ]
  i_7  =  i_6;
  for(;i_7 < 64;)
  {
    // BLOCK 2
    l_8  =  (long) i_7;
    l_9  =  l_8 << 2;
    l_10  =  l_9 + 16L;
    ul_11  =  ul_1 + l_10;
    i_12  =  i_7 << 6;
    i_13  =  i_12 + 32;
    ul_14  =  ul_0 + l_10;
    // BLOCK 3 MERGES [2 4 ]
    i_15  =  0;
    for(;i_15 < 32;)
    {
      // BLOCK 4
      l_16  =  (long) i_15;
      l_17  =  l_16 << 2;
      l_18  =  l_17 + 16L;
      ul_19  =  ul_2 + l_18;
      f_20  =  *((__global float *) ul_19);
      f_21  =  *((__global float *) ul_14);
      i_22  =  i_15 + i_12;
      l_23  =  (long) i_22;
      l_24  =  l_23 << 2;
      l_25  =  l_24 + 16L;
      ul_26  =  ul_3 + l_25;
      f_27  =  f_20 * f_21;
      d_28  =  (double) f_27;
      d_29  =  native_sin(d_28);
      f_30  =  (float) d_29;
      *((__global float *) ul_26)  =  f_30;
      i_31  =  i_13 + i_15;
      l_32  =  (long) i_31;
      l_33  =  l_32 << 2;
      l_34  =  l_33 + 16L;
      ul_35  =  ul_3 + l_34;
      d_36  =  native_cos(d_28);
      f_37  =  (float) d_36;
      *((__global float *) ul_35)  =  f_37;
      f_38  =  *((__global float *) ul_19);
      f_39  =  *((__global float *) ul_11);
      ul_40  =  ul_4 + l_25;
      f_41  =  f_38 * f_39;
      f_42  =  f_41 * f_37;
      *((__global float *) ul_40)  =  f_42;
      ul_43  =  ul_4 + l_34;
      f_44  =  -f_30;
      f_45  =  f_44 * f_41;
      *((__global float *) ul_43)  =  f_45;
      i_46  =  i_15 + 1;
      i_15  =  i_46;
    }  // B3
    // BLOCK 5
    i_47  =  i_5 + i_7;
    i_7  =  i_47;
  }  // B1
  // BLOCK 6
  return;
}  //  kernel
