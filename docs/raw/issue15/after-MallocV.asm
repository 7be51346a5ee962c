; Assembly listing for method Probe:MallocV(nuint):ptr (Tier1)
; Emitting BLENDED_CODE for generic X64 + VEX + EVEX on Unix
; Tier1 code
; optimized code
; rbp based frame
; partially interruptible
; No PGO data
; 0 inlinees with PGO data; 16 single block inlinees; 10 inlinees without PGO data

G_M000_IG01:                ;; offset=0x0000
       push     rbp
       push     r15
       push     r14
       push     rbx
       push     rax
       lea      rbp, [rsp+0x20]
       mov      rbx, rdi
 
G_M000_IG02:                ;; offset=0x000F
       lea      rdi, [rbp-0x1C]
       mov      rsi, ADDR
       sub      rdi, qword ptr [rsi]
       mov      rsi, ADDR
       cmp      rdi, qword ptr [rsi]
       jb       SHORT G_M000_IG04
 
G_M000_IG03:                ;; offset=0x002F
       mov      rdi, ADDR
       mov      rsi, ADDR
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.PymallocAllocator+Layout]:ClaimForAllocation(ptr,System.String)]
 
G_M000_IG04:                ;; offset=0x0049
       lea      rsi, [rbx-0x01]
       cmp      rsi, 512
       jae      SHORT G_M000_IG10
 
G_M000_IG05:                ;; offset=0x0056
       shr      rsi, 4
       lea      edi, [rsi+rsi]
       mov      rax, ADDR
       mov      rdi, qword ptr [rax+8*rdi]
       cmp      rdi, qword ptr [rdi+0x10]
       je       SHORT G_M000_IG08
       mov      r15, qword ptr [rdi+0x08]
       mov      rax, qword ptr [r15]
       inc      dword ptr [rdi]
       mov      qword ptr [rdi+0x08], rax
       test     rax, rax
       jne      SHORT G_M000_IG07
       mov      r14d, dword ptr [rdi+0x28]
       cmp      r14d, dword ptr [rdi+0x2C]
       jbe      SHORT G_M000_IG06
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.PymallocAllocator+Layout]:UnlinkFullPool(ptr)]
       jmp      SHORT G_M000_IG07
 
G_M000_IG06:                ;; offset=0x0095
       mov      eax, r14d
       add      rax, rdi
       mov      qword ptr [rdi+0x08], rax
       add      rdi, 40
       inc      esi
       shl      esi, 4
       add      dword ptr [rdi], esi
       xor      esi, esi
       mov      qword ptr [rax], rsi
 
G_M000_IG07:                ;; offset=0x00AF
       jmp      SHORT G_M000_IG09
 
G_M000_IG08:                ;; offset=0x00B1
       mov      rdi, ADDR
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.PymallocAllocator+Layout]:AllocateFromNewPool(ptr,uint):ptr]
       mov      r15, rax
 
G_M000_IG09:                ;; offset=0x00C4
       mov      rax, r15
       jmp      SHORT G_M000_IG11
 
G_M000_IG10:                ;; offset=0x00C9
       xor      eax, eax
 
G_M000_IG11:                ;; offset=0x00CB
       test     rax, rax
       je       SHORT G_M000_IG13
 
G_M000_IG12:                ;; offset=0x00D0
       jmp      SHORT G_M000_IG14
 
G_M000_IG13:                ;; offset=0x00D2
       mov      rsi, rbx
       mov      rdi, ADDR
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.PymallocAllocator+Layout]:MallocRaw(ptr,nuint):ptr]
 
G_M000_IG14:                ;; offset=0x00E5
       nop      
 
G_M000_IG15:                ;; offset=0x00E6
       add      rsp, 8
       pop      rbx
       pop      r14
       pop      r15
       pop      rbp
       ret      
 
; Total bytes of code 241
