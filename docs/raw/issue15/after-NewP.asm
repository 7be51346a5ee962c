; Assembly listing for method Probe:NewP():ptr (Tier1)
; Emitting BLENDED_CODE for generic X64 + VEX + EVEX on Unix
; Tier1 code
; optimized code
; rbp based frame
; partially interruptible
; No PGO data
; 0 inlinees with PGO data; 418 single block inlinees; 196 inlinees without PGO data

G_M000_IG01:                ;; offset=0x0000
       push     rbp
       push     r15
       push     rbx
       sub      rsp, 16
       lea      rbp, [rsp+0x20]
 
G_M000_IG02:                ;; offset=0x000D
       lea      rdi, [rbp-0x14]
       mov      rsi, ADDR
       sub      rdi, qword ptr [rsi]
       mov      rsi, ADDR
       cmp      rdi, qword ptr [rsi]
       jb       SHORT G_M000_IG04
 
G_M000_IG03:                ;; offset=0x002D
       mov      rdi, ADDR
       mov      rsi, ADDR
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.PymallocAllocator+Layout]:ClaimForAllocation(ptr,System.String)]
 
G_M000_IG04:                ;; offset=0x0047
       mov      rdi, ADDR
       mov      rdi, qword ptr [rdi]
       cmp      rdi, qword ptr [rdi+0x10]
       je       SHORT G_M000_IG08
 
G_M000_IG05:                ;; offset=0x005A
       mov      rbx, qword ptr [rdi+0x08]
       mov      rax, qword ptr [rbx]
       inc      dword ptr [rdi]
       mov      qword ptr [rdi+0x08], rax
       test     rax, rax
       jne      SHORT G_M000_IG07
       mov      r15d, dword ptr [rdi+0x28]
       cmp      r15d, dword ptr [rdi+0x2C]
       jbe      SHORT G_M000_IG06
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.PymallocAllocator+Layout]:UnlinkFullPool(ptr)]
       jmp      SHORT G_M000_IG07
 
G_M000_IG06:                ;; offset=0x007E
       mov      esi, r15d
       add      rsi, rdi
       mov      qword ptr [rdi+0x08], rsi
       add      rdi, 40
       add      dword ptr [rdi], 48
       xor      edi, edi
       mov      qword ptr [rsi], rdi
 
G_M000_IG07:                ;; offset=0x0094
       jmp      SHORT G_M000_IG09
 
G_M000_IG08:                ;; offset=0x0096
       mov      rdi, ADDR
       mov      esi, 2
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.PymallocAllocator+Layout]:AllocateFromNewPool(ptr,uint):ptr]
       mov      rbx, rax
 
G_M000_IG09:                ;; offset=0x00AE
       test     rbx, rbx
       jne      SHORT G_M000_IG11
 
G_M000_IG10:                ;; offset=0x00B3
       mov      rdi, ADDR
       mov      esi, 48
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.PymallocAllocator+Layout]:MallocRaw(ptr,nuint):ptr]
       jmp      SHORT G_M000_IG12
 
G_M000_IG11:                ;; offset=0x00CA
       mov      rax, rbx
 
G_M000_IG12:                ;; offset=0x00CD
       add      rsp, 16
       pop      rbx
       pop      r15
       pop      rbp
       ret      
 
; Total bytes of code 214
