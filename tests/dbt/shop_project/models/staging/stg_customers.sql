with source as (

    {#-
    The raw customers come from a seed here; in production they would be a
    source.
    #}
    select * from {{ ref('raw_customers') }}

),

renamed as (

    select
        id as customer_id,
        first_name,
        last_name,
        lower(trim(email)) as email,
        tier,
        updated_at

    from source

)

select * from renamed
