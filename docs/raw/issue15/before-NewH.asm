; Assembly listing for method Probe:NewH():ptr (Tier1)
; Emitting BLENDED_CODE for generic X64 + VEX + EVEX on Unix
; Tier1 code
; optimized code
; rbp based frame
; partially interruptible
; No PGO data
; 0 inlinees with PGO data; 386 single block inlinees; 196 inlinees without PGO data

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
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.HardAlloc+Layout]:ClaimForAllocation(ptr,System.String)]
 
G_M000_IG04:                ;; offset=0x0047
       mov      rdi, ADDR
       mov      rdi, qword ptr [rdi]
       cmp      rdi, qword ptr [rdi+0x10]
       jne      SHORT G_M000_IG06
 
G_M000_IG05:                ;; offset=0x005A
       mov      rdi, ADDR
       mov      esi, 2
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.HardAlloc+Layout]:AllocateFromNewPool(ptr,uint):ptr]
       jmp      SHORT G_M000_IG10
 
G_M000_IG06:                ;; offset=0x0071
       mov      rbx, qword ptr [rdi+0x08]
       mov      rsi, qword ptr [rbx]
       mov      rax, ADDR
       xor      rsi, qword ptr [rax]
       je       SHORT G_M000_IG07
       mov      rax, rsi
       sub      rax, rdi
       add      rax, -48
       mov      ecx, dword ptr [rdi+0x28]
       add      ecx, -48
       cmp      rax, rcx
       jae      SHORT G_M000_IG13
 
G_M000_IG07:                ;; offset=0x009C
       xor      eax, eax
       mov      qword ptr [rbx], rax
       inc      dword ptr [rdi]
       mov      qword ptr [rdi+0x08], rsi
       test     rsi, rsi
       jne      SHORT G_M000_IG09
       mov      r15d, dword ptr [rdi+0x28]
       cmp      r15d, dword ptr [rdi+0x2C]
       jbe      SHORT G_M000_IG08
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.HardAlloc+Layout]:UnlinkFullPool(ptr)]
       jmp      SHORT G_M000_IG09
 
G_M000_IG08:                ;; offset=0x00BE
       mov      esi, r15d
       add      rsi, rdi
       mov      qword ptr [rdi+0x08], rsi
       add      rdi, 40
       add      dword ptr [rdi], 48
       mov      rdi, ADDR
       mov      rdi, qword ptr [rdi]
       mov      qword ptr [rsi], rdi
 
G_M000_IG09:                ;; offset=0x00DF
       mov      rax, rbx
 
G_M000_IG10:                ;; offset=0x00E2
       test     rax, rax
       jne      SHORT G_M000_IG12
 
G_M000_IG11:                ;; offset=0x00E7
       mov      rdi, ADDR
       mov      esi, 48
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.HardAlloc+Layout]:MallocRaw(ptr,nuint):ptr]
       nop      
 
G_M000_IG12:                ;; offset=0x00FD
       add      rsp, 16
       pop      rbx
       pop      r15
       pop      rbp
       ret      
 
G_M000_IG13:                ;; offset=0x0106
       call     [Pymalloc.Runtime.PymallocCore`1[Pymalloc.Generated.HardAlloc+Layout]:CorruptFreeList(ptr,ptr):Pymalloc.HeapCorruptionException]
       mov      rdi, rax
       call     CORINFO_HELP_THROW
       int3     
 
; Total bytes of code 277
